import { Controller, Get } from '@nestjs/common';
import { CurrentSession, CurrentUser, Roles, type Session, type SignoffUser } from '@signoff/auth-sessions';

/** Ordinary host routes: protected by the library's global guard, nothing to add. */
@Controller('projects')
export class ProjectsController {
  @Get()
  list(@CurrentUser() user: SignoffUser, @CurrentSession() session: Session) {
    return { owner: user.email, sessionId: session.id, projects: [{ name: 'Apollo' }, { name: 'Gemini' }] };
  }

  @Roles('admin')
  @Get('report')
  report(@CurrentUser() user: SignoffUser) {
    return { reportFor: user.email };
  }
}
