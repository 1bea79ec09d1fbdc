/**
 * Long tool calls run as tasks: a handle returned at once, polled for status, its result kept
 * for a while, cancellable. One store per process, shared by both eras; the dispatcher shapes
 * the wire forms (the 2026-07-28 tasks extension, and 2025-11-25's experimental tasks).
 */
import type { CallToolResult } from "./protocol.ts";
import { unrefTimeout } from "./timers.ts";

/** A task's state, as both eras name it. */
export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

/** How long a finished task is kept for polling, unless the client asked for less. */
export const TASK_TTL_MS = 60 * 60_000;

/** How often clients should poll. */
export const TASK_POLL_MS = 500;

/** A task as the store keeps it. */
export interface Task {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
  pollIntervalMs: number;
  /** The tool's result once `completed`. */
  result?: CallToolResult;
  /** The JSON-RPC error once `failed` (an internal error, never a tool's isError). */
  error?: { code: number; message: string };
}

interface Entry {
  task: Task;
  controller: AbortController;
  done: Promise<void>;
}

/** What a task's work gets: a signal (aborted by tasks/cancel) and a way to say how it goes. */
export interface TaskWork {
  signal: AbortSignal;
  report(message: string): void;
}

/** The tasks of one process. */
export class TaskStore {
  #entries = new Map<string, Entry>();

  /**
   * Creates a task running `work` and returns it once it exists (a `tasks/get` for its id
   * resolves from then on). `fail` turns an exception into the task's JSON-RPC error.
   */
  create(
    work: (task: TaskWork) => Promise<CallToolResult>,
    options: { ttlMs?: number; fail: (error: unknown) => { code: number; message: string } },
  ): Task {
    const now = new Date().toISOString();
    const task: Task = {
      taskId: crypto.randomUUID(),
      status: "working",
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: Math.min(options.ttlMs ?? TASK_TTL_MS, TASK_TTL_MS),
      pollIntervalMs: TASK_POLL_MS,
    };
    const controller = new AbortController();
    const update = (change: Partial<Task>) => {
      if (isTerminal(task.status)) return;
      Object.assign(task, change, { lastUpdatedAt: new Date().toISOString() });
    };
    const done = (async () => {
      try {
        const result = await work({
          signal: controller.signal,
          report: (statusMessage) => update({ statusMessage }),
        });
        update({ status: "completed", result });
      } catch (error) {
        if (controller.signal.aborted) update({ status: "cancelled" });
        else update({ status: "failed", error: options.fail(error) });
      }
    })();
    this.#entries.set(task.taskId, { task, controller, done });
    // Kept for its TTL from creation, then forgotten (a running task is aborted first).
    unrefTimeout(() => {
      controller.abort();
      this.#entries.delete(task.taskId);
    }, task.ttlMs);
    return task;
  }

  /** The task with this id, or undefined. */
  get(taskId: string): Task | undefined {
    return this.#entries.get(taskId)?.task;
  }

  /** Every task still kept, oldest first. */
  list(): Task[] {
    return [...this.#entries.values()].map((entry) => entry.task);
  }

  /** Resolves once the task is terminal (at once if it is). */
  async settled(taskId: string, signal?: AbortSignal): Promise<Task | undefined> {
    const entry = this.#entries.get(taskId);
    if (!entry) return undefined;
    if (signal) {
      await Promise.race([
        entry.done,
        new Promise((_, reject) => signal.addEventListener("abort", reject, { once: true })),
      ]);
    } else {
      await entry.done;
    }
    return entry.task;
  }

  /** Aborts the task's work and marks it cancelled (a finished task stays as it is). */
  cancel(taskId: string): Task | undefined {
    const entry = this.#entries.get(taskId);
    if (!entry) return undefined;
    if (!isTerminal(entry.task.status)) {
      entry.task.status = "cancelled";
      entry.task.statusMessage = "Cancelled by the client.";
      entry.task.lastUpdatedAt = new Date().toISOString();
      entry.controller.abort("cancelled by the client");
    }
    return entry.task;
  }

  /** Aborts every task under way (shutdown); resolves once their work has ended. */
  async abortAll(): Promise<void> {
    const entries = [...this.#entries.values()];
    for (const entry of entries) entry.controller.abort("shutting down");
    await Promise.allSettled(entries.map((entry) => entry.done));
  }
}

/** Whether a status is final. */
export function isTerminal(status: TaskStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}
