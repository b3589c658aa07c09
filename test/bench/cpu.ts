import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) a process has used so far, all its threads, from Linux's /proc
 * (clock ticks of 10 ms: USER_HZ is 100 on Linux); null when the process is gone or /proc is not there.
 */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The CPU time the processes used together, ms (those gone count as nothing). */
export function cpuMsOfAll(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
}
