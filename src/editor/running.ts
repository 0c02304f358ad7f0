// Whether anything runs (item scoring, study runs, batch jobs): the `valueLens.running` context key that
// shows the Stop button in the editor title, and an event for the language status item. The board already
// holds one entry per run in flight (scoring and studies write it); this one also says when that changes.
import * as vscode from 'vscode';
import type { RunProgress } from '../core/run/runner';
import { ProgressBoard } from './progressBoard';

/** The context key: true while at least one run is in flight. */
export const RUNNING_CONTEXT_KEY = 'valueLens.running';

/** A ProgressBoard that fires when runs start, progress or end. */
export class RunningBoard extends ProgressBoard {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  override set(runId: string, progress: RunProgress): void {
    super.set(runId, progress);
    this.emitter.fire();
  }

  override delete(runId: string): void {
    const had = this.get(runId) !== undefined;
    super.delete(runId);
    if (had) this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** Keeps `valueLens.running` equal to "the board has a run"; set only when it changes. */
export function registerRunningContext(board: RunningBoard): vscode.Disposable {
  let running: boolean | undefined;
  const update = (): void => {
    const now = board.size > 0;
    if (now === running) return;
    running = now;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, now);
  };
  update();
  return vscode.Disposable.from(board.onDidChange(update), {
    dispose: () => void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, false),
  });
}
