// Runs one model's batches on its backend: packs already-read batches into workspaces (lengths, inputs, targets,
// initial states, dropout masks, in the sorted time-major layout of src/batch.ts), builds each pass's arguments
// (src/pass.ts), runs the pass here or split across the training threads (src/parallel/), and reads back final
// states and initial-state gradients. Owns the workspaces and the threads' grads buffers; the model owns the block.
import type { Backend, FloatArray, Ptr, SplitKernels } from './backend.js';
import { ACT, OUT } from './backend.js';
import { packOf, stageInputs, writeTargets, type InputSpec, type Packed, type Sequences, type TargetData, type TargetSpec } from './batch.js';
import { MERGE, type ModelConfig, type ThreadSplit } from './config.js';
import type { Masks } from './dropout.js';
import { SECTION, growWorkspace, paramSuffix, sectionPtr, type Arch, type ParamLayout, type Workspace } from './layout.js';
import { splitBatch, type ThreadPool } from './parallel/index.js';
import { runPass, PASS_BACKWARD, PASS_FORWARD, type PassArgs } from './pass.js';

/** One part of a batch (the whole, or one thread's share) and the workspace it ran in. */
export interface Part {
  p: Packed;
  ws: Workspace;
}

/** Bytes of the column split's barrier block for n threads (the threads build's barrierBytes). */
function barrierBytes(be: Backend, n: number): number {
  return (be as unknown as { exports: { barrierBytes(n: number): number } }).exports.barrierBytes(n);
}

/** Pass argument objects kept per runner (one per workspace, grads buffer and dropout in use: threads + 1 at most). */
const ARGS_CACHE = 8;

export class BatchRunner {
  /** The model thread's workspace, grown lazily to the largest (B, T) seen. */
  ws: Workspace | null = null;
  /** Training threads (threads > 1), and the workspace and grads buffer of each thread's share (1..n-1). */
  pool: ThreadPool | null = null;
  lanes: { ws: Workspace | null; grads: Ptr }[] = [];
  /** How batches are split across the threads (the threadSplit option), and the column split's barrier block. */
  split: ThreadSplit = 'rows';
  bar: Ptr = 0;

  constructor(
    private readonly be: Backend,
    private readonly c: Readonly<ModelConfig>,
    private readonly A: Arch,
    private readonly L: ParamLayout,
    private readonly block: Ptr,
  ) {}

  /** Threads this runner splits a batch across (1 without a pool). */
  get threadCount(): number {
    return this.pool ? this.pool.size + 1 : 1;
  }

  private ptr(name: string, section: number = SECTION.params): Ptr {
    return sectionPtr(this.block, this.L, section, name);
  }

  /** The model thread's workspace for (B, T) (grown when needed; may grow memory). */
  workspace(B: number, T: number, api: string): Workspace {
    return (this.ws = growWorkspace(this.be, this.c, this.ws, B, T, api));
  }

  inputSpec(): InputSpec {
    return { inputSize: this.c.inputSize, vocabSize: this.c.vocabSize, floatBytes: this.L.fb };
  }

  targetSpec(): TargetSpec {
    const c = this.c;
    return {
      outputSize: c.outputSize, softmax: c.outputActivation === 'softmax', sigmoid: c.outputActivation === 'sigmoid',
      returnSequences: c.returnSequences, floatBytes: this.L.fb,
    };
  }

  /**
   * Writes a (sub-)batch into ws: lengths, inputs, the targets unless null, with row weight `inv` on real rows
   * (default: this batch's own 1/B or 1/steps; a sub-batch gets the whole batch's), and the initial states (B, H)
   * in the caller's order when given.
   */
  packBatch(
    p: Packed, ws: Workspace, seqs: Sequences, tg: TargetData | null, s0Rows: FloatArray | null, masks: Masks | null, inv?: number,
  ): void {
    const be = this.be;
    const c = this.c;
    const A = this.A;
    be.ints(ws.len, p.B).set(p.lenSorted);
    const n = p.T * p.B;
    // the sequences whole into xs, then one gather into x, time-major (goBackwards: each sequence's real steps last
    // to first); the gather copies rows of a few floats far faster than a JS loop (2-3 ns per value)
    const C = c.vocabSize ? 1 : c.inputSize;
    stageInputs(seqs, p, c.vocabSize ? be.ints(ws.xs, n) : be.floats(ws.xs, n * C), be.ints(ws.xoff, p.B));
    be.gatherSteps(ws.x, ws.xs, ws.xoff, ws.len, p.T, p.B, C, c.vocabSize ? 255 : 0, c.goBackwards ? 1 : 0);
    if (tg) {
      const rows = c.returnSequences ? n : p.B;
      writeTargets(tg, p, this.targetSpec(), be.floats(ws.tgt, rows * c.outputSize), be.ints(ws.tgt, rows), be.floats(ws.w, rows), inv);
    }
    // per layer-direction k, its rows of the caller's state vectors (PyTorch's h_n order) and of the masks
    let at = 0;
    for (let k = 0; k < A.L * A.dirs; k++) {
      const H = A.H[Math.floor(k / A.dirs)];
      if (s0Rows) {
        const s = be.floats(ws.ld[k].s, p.B * H);
        const S = A.stateSize;
        for (let q = 0; q < p.B; q++) s.set(s0Rows.subarray(p.order[q] * S + at, p.order[q] * S + at + H), q * H);
      }
      if (masks?.recurrent) {
        const m = be.floats(ws.ld[k].rmask, p.B * H);
        for (let q = 0; q < p.B; q++) m.set(masks.recurrent[k][p.order[q]], q * H);
      }
      at += H;
    }
    if (masks?.input) {
      const W = A.In[0];
      const m = be.floats(ws.imask, p.B * W);
      for (let q = 0; q < p.B; q++) m.set(masks.input[p.order[q]], q * W);
    }
    if (masks?.between) {
      for (let l = 0; l < A.L - 1; l++) {
        const W = A.out[l];
        const m = be.floats(ws.layer[l].dmask, n * W);
        m.fill(0);
        for (let q = 0; q < p.B; q++) {
          const src = masks.between[l][p.order[q]];
          for (let t = 0; t < p.lenSorted[q]; t++) m.set(src.subarray(t * W, (t + 1) * W), (t * p.B + q) * W);
        }
      }
    }
  }

  /**
   * The pointers and sizes of one pass (src/pass.ts) over a packed (B, T) batch in ws, grads into `grads`. The object
   * is built once per (workspace, grads, dropout) and reused with the batch's mode, B, T and s0Mode written in: a
   * caller that changes other fields copies it first. (Building it took about 8 µs, a twentieth of a small model's
   * training step.)
   */
  passArgs(p: Packed, ws: Workspace, mode: number, s0Mode: number, dropout: boolean, grads: Ptr = this.ptr('Ws', SECTION.grads)): PassArgs {
    let hit = this.argsCache.find((e) => e.ws === ws && e.grads === grads && e.dropout === dropout);
    if (!hit) {
      hit = { ws, grads, dropout, a: this.buildArgs(ws, dropout, grads) };
      this.argsCache.push(hit);
      // workspaces are replaced when they grow: the oldest entries are the ones no pass uses any more
      if (this.argsCache.length > ARGS_CACHE) this.argsCache.shift();
    }
    const a = hit.a;
    a.mode = mode;
    a.B = p.B;
    a.T = p.T;
    a.s0Mode = s0Mode;
    return a;
  }

  private argsCache: { ws: Workspace; grads: Ptr; dropout: boolean; a: PassArgs }[] = [];

  private buildArgs(ws: Workspace, dropout: boolean, grads: Ptr): PassArgs {
    const c = this.c;
    const A = this.A;
    const d = (k: string) => grads + this.L.off[k] * this.L.fb;
    const a: Record<string, number> = {
      mode: 0, B: 0, T: 0, I: c.inputSize, V: c.vocabSize, D: c.embeddingSize, O: c.outputSize, fb: this.L.fb,
      act: ACT[c.activation], out: OUT[c.outputActivation], merge: MERGE[c.merge], returnSequences: c.returnSequences ? 1 : 0,
      freezeEmbeddings: c.freezeEmbeddings ? 1 : 0, s0Mode: 0, L: A.L, dirs: A.dirs, headIn: A.headIn,
      Wo: this.ptr('Wo'), bo: this.ptr('bo'), E: this.ptr('E'), grads, gradBytes: this.L.count * this.L.fb,
      dWo: d('Wo'), dbo: d('bo'), dE: d('E'),
      len: ws.len, x: ws.x, xe: ws.xe, dxe: ws.dxe, imask: dropout ? ws.imask : 0, yT: ws.yT, dyT: ws.dyT,
      y: ws.y, dy: ws.dy, tgt: ws.tgt, w: ws.w, loss: ws.loss, WoT: ws.WoT,
    };
    for (let l = 0; l < A.L; l++) {
      for (let dir = 0; dir < A.dirs; dir++) {
        const k = l * A.dirs + dir;
        const x = paramSuffix(l, dir);
        const g = ws.ld[k];
        Object.assign(a, {
          ['H' + k]: A.H[l], ['In' + k]: A.In[l], ['Ws' + k]: this.ptr(`Ws${x}`), ['bs' + k]: this.ptr(`bs${x}`), ['s0' + k]: this.ptr(`s0${x}`),
          ['dWs' + k]: d(`Ws${x}`), ['dbs' + k]: d(`bs${x}`), ['ds0p' + k]: d(`s0${x}`),
          ['s' + k]: g.s, ['dz' + k]: g.dz, ['ds0' + k]: g.ds0, ['WhT' + k]: g.WhT, ['WiT' + k]: g.WiT,
          ['xr' + k]: g.xr, ['sro' + k]: g.sro, ['dsro' + k]: g.dsro,
          ['rmask' + k]: dropout ? g.rmask : 0, ['sm' + k]: dropout ? g.sm : 0, ['dsin' + k]: 0,
        });
      }
      const y = ws.layer[l];
      Object.assign(a, { ['outL' + l]: A.out[l], ['yL' + l]: y.y, ['dyL' + l]: y.dy, ['dmaskL' + l]: dropout ? y.dmask : 0 });
    }
    return a as PassArgs;
  }

  /** s^0 of a pass: 2 rows written by the caller, 1 the learned s0 broadcast (and its gradient), 0 zeros. */
  s0Mode(s0Rows: FloatArray | null): number {
    return s0Rows ? 2 : this.c.learnInitialState ? 1 : 0;
  }

  /**
   * Packs a validated batch and runs one pass over it (PASS_FORWARD, PASS_LOSS or PASS_BACKWARD; grads land in the
   * grads section): on this thread, or split across the training threads. Returns the parts with their workspaces.
   * Runs inside a guarded memory phase.
   */
  runParts(
    api: string, seqs: Sequences, tg: TargetData | null, mode: number, s0Rows: FloatArray | null = null, masks: Masks | null = null,
  ): { loss: number; parts: Part[] } {
    const whole = packOf(seqs.lengths);
    const s0Mode = this.s0Mode(s0Rows);
    const dropout = masks !== null;
    if (!this.pool || mode === PASS_FORWARD) {
      const ws = this.workspace(whole.B, whole.T, api);
      this.packBatch(whole, ws, seqs, tg, s0Rows, masks);
      return { loss: runPass(this.be, this.passArgs(whole, ws, mode, s0Mode, dropout)), parts: [{ p: whole, ws }] };
    }
    if (this.split === 'columns') return this.runColumns(api, whole, seqs, tg, mode, s0Rows, masks);
    this.ensureLanes();
    const inv = 1 / (this.c.returnSequences ? whole.steps : whole.B);
    const parts = splitBatch(whole, this.threadCount).map((p, k) => {
      // workspaces first (allocation may grow memory), then the writes
      const ws = k === 0
        ? this.workspace(p.B, p.T, api)
        : (this.lanes[k - 1].ws = growWorkspace(this.be, this.c, this.lanes[k - 1].ws, p.B, p.T, api));
      return { p, ws };
    });
    // the threads' shares first, so that packing share 0 overlaps their work
    for (const { p, ws } of parts.slice(1)) this.packBatch(p, ws, seqs, tg, s0Rows, masks, inv);
    this.pool.dispatch(parts.slice(1).map(({ p, ws }, k) => this.passArgs(p, ws, mode, s0Mode, dropout, this.lanes[k].grads)), api);
    let loss = NaN;
    let theirs: number[];
    try {
      this.packBatch(parts[0].p, parts[0].ws, seqs, tg, s0Rows, masks, inv);
      loss = runPass(this.be, this.passArgs(parts[0].p, parts[0].ws, mode, s0Mode, dropout));
    } finally {
      theirs = this.pool.join(api); // the threads finish before anything else touches memory, also when this share threw
    }
    for (const l of theirs) loss += l; // fixed order: share 0, 1, ...
    if (mode === PASS_BACKWARD) {
      const g = this.ptr('Ws', SECTION.grads);
      for (let k = 1; k < parts.length; k++) this.be.addScaled(g, this.lanes[k - 1].grads, this.L.count, 1);
    }
    return { loss, parts };
  }

  /**
   * The column split of runParts: the whole batch in the model thread's workspace, one pass run at once by every
   * thread (src/pass.ts, parts = threads), each computing its columns of every product into the one grads buffer.
   * A pass that throws on this thread aborts the barrier (no training thread waits for it), then the threads are
   * joined; the error told is this thread's own, unless it only followed another thread's (a partner gone or failed:
   * the pool's error, which says which).
   */
  private runColumns(
    api: string, whole: Packed, seqs: Sequences, tg: TargetData | null, mode: number, s0Rows: FloatArray | null, masks: Masks | null,
  ): { loss: number; parts: Part[] } {
    const pool = this.pool!;
    const n = this.threadCount;
    const ws = this.workspace(whole.B, whole.T, api);
    if (!this.bar) this.bar = this.be.alloc(barrierBytes(this.be, n));
    this.packBatch(whole, ws, seqs, tg, s0Rows, masks); // every thread reads the whole batch: packed before they start
    const args = { ...this.passArgs(whole, ws, mode, this.s0Mode(s0Rows), masks !== null), parts: n, bar: this.bar };
    this.be.zero(this.bar, barrierBytes(this.be, n)); // a fresh barrier for this pass (every thread is idle)
    pool.dispatch(Array.from({ length: n - 1 }, (_, k) => ({ ...args, part: k + 1 })), api);
    let loss = NaN;
    let mine: unknown = null;
    try {
      loss = runPass(this.be, { ...args, part: 0 }, 1, () => pool.running());
    } catch (e) {
      mine = e;
      (this.be as unknown as SplitKernels).barrierAbort(this.bar);
    }
    try {
      pool.join(api); // the threads' passes return 0: the loss is this thread's
    } catch (e) {
      throw mine && !(mine as { splitAbort?: boolean }).splitAbort ? mine : e;
    }
    if (mine) throw mine;
    return { loss, parts: [{ p: whole, ws }] };
  }

  /** The row split's grads buffers of threads 1..n-1 (a model that splits by columns allocates none up front). */
  private ensureLanes(): void {
    const bytes = this.L.count * this.L.fb;
    for (let k = this.lanes.length + 1; k < this.threadCount; k++) this.lanes.push({ ws: null, grads: this.be.alloc(bytes) });
  }

  /** The state after each sequence's last real step, every layer and direction (the reverse: after x^1), (B, stateSize). */
  finalStates(parts: Part[], B: number): Float64Array {
    const A = this.A;
    const S = A.stateSize;
    const out = new Float64Array(B * S);
    for (const { p, ws } of parts) {
      let at = 0;
      for (let k = 0; k < A.L * A.dirs; k++) {
        const H = A.H[Math.floor(k / A.dirs)];
        const sT = this.be.floats(ws.ld[k].s + p.T * p.B * H * this.L.fb, p.B * H);
        for (let q = 0; q < p.B; q++) out.set(sT.subarray(q * H, (q + 1) * H), p.order[q] * S + at);
        at += H;
      }
    }
    return out;
  }

  /** ∂L/∂s^0 of every layer and direction, per sequence in the caller's order, (B, stateSize). */
  initialStateGrads(parts: Part[], B: number): FloatArray[] {
    const A = this.A;
    const S = A.stateSize;
    const out = Array.from({ length: B }, () => (this.L.fb === 8 ? new Float64Array(S) : new Float32Array(S)));
    for (const { p, ws } of parts) {
      let at = 0;
      for (let k = 0; k < A.L * A.dirs; k++) {
        const H = A.H[Math.floor(k / A.dirs)];
        const g = this.be.floats(ws.ld[k].ds0, p.B * H);
        for (let q = 0; q < p.B; q++) out[p.order[q]].set(g.subarray(q * H, (q + 1) * H), at);
        at += H;
      }
    }
    return out;
  }

  /** Frees the workspaces and the threads' grads buffers, and ends the threads. */
  free(): void {
    this.endThreads();
    if (this.ws) this.be.free(this.ws.block);
    this.ws = null;
  }

  /** Ends the training threads and frees their workspaces and grads buffers: later batches run on this thread. */
  endThreads(): void {
    this.pool?.dispose(); // the threads are idle between calls: their workspaces and grads are free to reuse
    this.pool = null;
    if (this.bar) this.be.free(this.bar);
    this.bar = 0;
    for (const lane of this.lanes) {
      if (lane.ws) this.be.free(lane.ws.block);
      this.be.free(lane.grads);
    }
    this.lanes = [];
  }
}
