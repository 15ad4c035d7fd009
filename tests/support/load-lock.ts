import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/*
 * One load test at a time on this machine. ava runs test files side by side; two tests that each drive
 * thousands of calls through several processes (SIPp, Kamailio, workers) would starve each other's timers and
 * fail for want of a core, not for a bug. A test that makes such load holds this lock while it runs; the
 * others wait for it (a condition, no fixed time). The lock is a directory holding the holder's pid, put in
 * place by one rename (atomic; it fails while the lock exists), so a holder that died leaves a lock the next
 * one takes over.
 */

const LOCK = path.join(tmpdir(), `session-core-load-lock-${process.getuid?.() ?? 'user'}`);

const holderAlive = (): boolean => {
  try {
    const pid = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Removes the lock without a moment where it exists empty: rename(2) may replace an empty directory, so
 * another process could take an emptied lock under us and our rmdir would find its pid. Renamed away
 * first, the lock is gone at once; the renamed copy is then ours alone to delete.
 */
const removeLock = (): void => {
  const trash = `${LOCK}-released-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(LOCK, trash);
  } catch {
    return;
  }
  rmSync(trash, { recursive: true, force: true });
};

const tryTake = (): boolean => {
  const staging = mkdtempSync(`${LOCK}-`);
  writeFileSync(path.join(staging, 'pid'), String(process.pid));
  try {
    renameSync(staging, LOCK);
    return true;
  } catch {
    rmSync(staging, { recursive: true, force: true });
    // Taken: by a live process it stays so; a dead holder's lock is cleared for the next try.
    if (!holderAlive()) removeLock();
    return false;
  }
};

/** Runs `load` while no other load test runs on this machine. */
export const underLoadLock = async <T>(load: () => Promise<T>): Promise<T> => {
  while (!tryTake()) await new Promise((resolve) => setTimeout(resolve, 100));
  try {
    return await load();
  } finally {
    removeLock();
  }
};
