import { EventEmitter } from 'node:events';
import { QueueErrors } from './queue-errors.js';

describe('QueueErrors', () => {
  it('should listen at once, so that the queue never has an error nobody listens to', () => {
    const queue = new EventEmitter();
    new QueueErrors(queue as never);

    expect(queue.listenerCount('error')).toBe(1);
    expect(() => queue.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6390'))).not.toThrow();
  });

  it('should hand the last error before a listener to that listener, then every later one', () => {
    const queue = new EventEmitter();
    const errors = new QueueErrors(queue as never);
    queue.emit('error', new Error('first'));
    queue.emit('error', new Error('second'));
    const seen: string[] = [];

    errors.listen((error) => seen.push(error.message));
    queue.emit('error', new Error('third'));

    expect(seen).toEqual(['second', 'third']);
  });

  it('should hand nothing to a listener when nothing failed', () => {
    const seen: Error[] = [];
    new QueueErrors(new EventEmitter() as never).listen((error) => seen.push(error));

    expect(seen).toEqual([]);
  });
});
