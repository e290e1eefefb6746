import { execFileSync } from 'node:child_process';

/** One row of `ps`. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  command: string;
}

/** Every live process (zombies left out), from `ps` (Linux and macOS alike). */
export function processTable(): ProcessRow[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,command='], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const rows: ProcessRow[] = [];
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match || match[3].startsWith('Z')) continue;
    rows.push({ pid: Number(match[1]), ppid: Number(match[2]), command: match[4] });
  }
  return rows;
}

/** `root` and all its live descendants. */
export function processTree(root: number, table = processTable()): ProcessRow[] {
  const found = table.filter((row) => row.pid === root);
  for (let index = 0; index < found.length; index++) {
    found.push(...table.filter((row) => row.ppid === found[index].pid));
  }
  return found;
}

/** The processes among `pids` still alive. */
export function survivors(pids: number[], table = processTable()): ProcessRow[] {
  const wanted = new Set(pids);
  return table.filter((row) => wanted.has(row.pid));
}

/** SIGKILL, ignoring processes that are already gone. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
