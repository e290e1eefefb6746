import { ValidationPipe } from '@nestjs/common';

/** The library validates its own DTOs, whatever pipes the host app installs. */
export const libraryValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
});
