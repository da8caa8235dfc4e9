/**
 * Per-user folders, portable: Windows %APPDATA% / %LOCALAPPDATA%, macOS ~/Library, elsewhere XDG.
 * - config: the redaction key (`redact.key`).
 * - state: tail checkpoints.
 * - data: the historical index database.
 */
import os from 'node:os';
import path from 'node:path';

function home(): string {
  return os.homedir();
}

export function configDir(): string {
  if (process.env.CQLOG_CONFIG_DIR) return process.env.CQLOG_CONFIG_DIR;
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home(), 'AppData', 'Roaming'), 'cqlog');
  if (process.platform === 'darwin') return path.join(home(), 'Library', 'Application Support', 'cqlog');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home(), '.config'), 'cqlog');
}

export function stateDir(): string {
  if (process.env.CQLOG_STATE_DIR) return process.env.CQLOG_STATE_DIR;
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home(), 'AppData', 'Local'), 'cqlog', 'state');
  if (process.platform === 'darwin') return path.join(home(), 'Library', 'Application Support', 'cqlog', 'state');
  return path.join(process.env.XDG_STATE_HOME ?? path.join(home(), '.local', 'state'), 'cqlog');
}

export function dataDir(): string {
  if (process.env.CQLOG_DATA_DIR) return process.env.CQLOG_DATA_DIR;
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home(), 'AppData', 'Local'), 'cqlog');
  if (process.platform === 'darwin') return path.join(home(), 'Library', 'Application Support', 'cqlog');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home(), '.local', 'share'), 'cqlog');
}
