import { type Checkpoint, loadCheckpoint } from '../checkpoint/load.ts';
import { HistoryRecommender } from '../recommend/history.ts';
import { Recommender } from '../recommend/recommender.ts';

/** One loaded, verified checkpoint with everything a request needs. */
export interface ServingModel {
  ck: Checkpoint;
  rec: Recommender;
  history: HistoryRecommender;
  loadedAt: Date;
  /** Catalogue size as loaded from disk (items beyond it were added while serving). */
  baseItems: number;
}

/** Runs on every model the slot opens, before it is served (e.g. restoring items added live). */
export type OnOpen = (m: ServingModel) => void;

interface Entry {
  model: ServingModel;
  refs: number;
  retired: boolean;
}

async function open(dir: string, onOpen: OnOpen): Promise<ServingModel> {
  const ck = await loadCheckpoint(dir);
  const rec = new Recommender(ck);
  const m = {
    ck,
    rec,
    history: new HistoryRecommender(rec),
    loadedAt: new Date(),
    baseItems: ck.items.ids.length,
  };
  try {
    onOpen(m);
  } catch (e) {
    await dispose(m);
    throw e;
  }
  return m;
}

async function dispose(m: ServingModel): Promise<void> {
  await m.history.dispose();
  m.rec.dispose();
  m.ck.model.dispose();
}

/**
 * Holds the model being served and swaps it atomically: a new checkpoint is loaded and fully verified
 * before it replaces the old one (a corrupt one throws and changes nothing). Requests hold a reference
 * while they run, so a retired model's tensors are freed only after its last request finishes.
 */
export class ModelSlot {
  private entry: Entry;
  private reloading: Promise<unknown> = Promise.resolve();

  private constructor(
    model: ServingModel,
    private readonly onOpen: OnOpen,
  ) {
    this.entry = { model, refs: 0, retired: false };
  }

  static async open(dir: string, onOpen: OnOpen = () => {}): Promise<ModelSlot> {
    return new ModelSlot(await open(dir, onOpen), onOpen);
  }

  get current(): ServingModel {
    return this.entry.model;
  }

  /** Runs fn with the current model, keeping it alive until fn settles. */
  async use<T>(fn: (m: ServingModel) => T | Promise<T>): Promise<T> {
    const e = this.entry;
    e.refs++;
    try {
      return await fn(e.model);
    } finally {
      e.refs--;
      if (e.retired && e.refs === 0) await dispose(e.model);
    }
  }

  /** Loads `dir` (default: the current checkpoint's dir) and swaps it in; reloads run one at a time. */
  reload(dir = this.entry.model.ck.dir): Promise<{ previous: ServingModel; current: ServingModel }> {
    const run = this.reloading.then(async () => {
      const next = await open(dir, this.onOpen);
      const old = this.entry;
      this.entry = { model: next, refs: 0, retired: false };
      old.retired = true;
      if (old.refs === 0) await dispose(old.model);
      return { previous: old.model, current: next };
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.reloading;
    this.entry.retired = true;
    if (this.entry.refs === 0) await dispose(this.entry.model);
  }
}
