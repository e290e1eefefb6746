import { jest } from '@jest/globals';
import { withDeadline } from './deadline.js';

const never = <T>() => new Promise<T>(() => undefined);

describe('withDeadline', () => {
  it("should answer with the work's value when it comes first", async () => {
    await expect(withDeadline(Promise.resolve('done'), 1000, () => 'late')).resolves.toBe('done');
  });

  it("should fail with the work's error when it comes first", async () => {
    await expect(withDeadline(Promise.reject(new Error('refused')), 1000, () => 'late')).rejects.toThrow('refused');
  });

  it("should answer with onTimeout's value once the time has passed", async () => {
    await expect(withDeadline(never<string>(), 10, () => null)).resolves.toBeNull();
  });

  it('should fail with what onTimeout throws once the time has passed', async () => {
    await expect(
      withDeadline(never<string>(), 10, () => {
        throw new Error('timed out');
      }),
    ).rejects.toThrow('timed out');
  });

  it('should clear its timer when the work comes first', async () => {
    const onTimeout = jest.fn(() => 'late');
    await withDeadline(Promise.resolve('done'), 20, onTimeout);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(onTimeout).not.toHaveBeenCalled();
  });
});
