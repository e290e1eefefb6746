import { Controller, Get } from '@nestjs/common';
import { Public } from '@signoff/auth-sessions';

/** Heap after a full collection, for the memory figures (the host runs with --expose-gc). */
@Controller('bench')
export class HeapController {
  @Public()
  @Get('heap')
  heap(): NodeJS.MemoryUsage {
    (globalThis as { gc?: () => void }).gc?.();
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage();
  }
}
