/**
 * Loaded into each measured process with `node --import` (the service itself runs unchanged): how
 * many bytes its JavaScript heap allocated, and what its garbage collections cost, between two
 * reads. The bench reads it over HTTP on BENCH_PROBE_PORT (loopback, a listener of its own) before
 * and after each scenario.
 *
 * V8 keeps no running total of bytes allocated, but v8.GCProfiler reports the used heap before
 * and after every collection: between two reads, what was allocated is what the collections freed
 * (Σ before − after) plus what the used heap grew by (now − at the previous read). Exact up to
 * the profiler's own bookkeeping (one small record per collection, a few KB per 10 MB). Unlike
 * --heap-prof it needs no sampling and no post-processing, and it costs nothing between GCs.
 *
 * Where the bytes go: with BENCH_HEAP_PROFILE_DIR set, V8's sampling heap profiler runs from
 * start-up *including objects already collected* (--heap-prof keeps only what is still alive at
 * exit, which says nothing about a request's garbage); GET /heap-profile writes it there as a
 * .heapprofile (bench/profile-summary.ts reads it; Chrome DevTools opens it).
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import path from 'node:path';
import v8 from 'node:v8';

interface HeapState {
  heapStatistics: { usedHeapSize: number };
  heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[];
}

interface GcRecord {
  gcType: string;
  cost: number;
  beforeGC: HeapState;
  afterGC: HeapState;
}

/** Where a young-generation collection puts what it keeps past its second collection. */
const OLD_SPACES = new Set(['old_space', 'large_object_space']);

function oldBytes(state: HeapState): number {
  let bytes = 0;
  for (const space of state.heapSpaceStatistics) if (OLD_SPACES.has(space.spaceName)) bytes += space.spaceUsedSize;
  return bytes;
}

export interface ProbeReading {
  /** Bytes allocated on the JavaScript heap since the previous reading. */
  allocatedBytes: number;
  scavenges: number;
  /** Mark-compact (full) collections. */
  fullGcs: number;
  /** Every pause since the previous reading, in ms. */
  pausesMs: number[];
  /**
   * Bytes the young-generation collections moved to the old generation: objects that outlived two
   * of them. A request's objects live for milliseconds; when they get here, something held them
   * (in-flight.ts), and each full collection that frees them is a pause of its own.
   */
  promotedBytes: number;
  usedHeapBytes: number;
  /** The largest heap left after a full collection: the live set (null: no full GC ran). */
  liveHeapBytes: number | null;
}

let profiler = new v8.GCProfiler();
profiler.start();
let usedAtLastRead = v8.getHeapStatistics().used_heap_size;

function read(): ProbeReading {
  // The used heap is read before stop(): stop() turns every collection's record into JavaScript
  // objects (~3 KB each, hundreds per scenario), the probe's own allocation, not the process's;
  // the next window starts after them, so neither window counts them.
  const usedNow = v8.getHeapStatistics().used_heap_size;
  const records = (profiler.stop()?.statistics ?? []) as unknown as GcRecord[];
  profiler = new v8.GCProfiler();
  profiler.start();
  const young = records.filter((gc) => gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep');
  const freed = records.reduce((sum, gc) => sum + Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize), 0);
  const reading: ProbeReading = {
    allocatedBytes: freed + usedNow - usedAtLastRead,
    scavenges: young.length,
    fullGcs: records.filter((gc) => gc.gcType === 'MarkSweepCompact').length,
    // GCProfiler's cost is in microseconds.
    pausesMs: records.map((gc) => gc.cost / 1000),
    promotedBytes: young.reduce((sum, gc) => sum + Math.max(0, oldBytes(gc.afterGC) - oldBytes(gc.beforeGC)), 0),
    usedHeapBytes: usedNow,
    liveHeapBytes: Math.max(-1, ...records.filter((gc) => gc.gcType === 'MarkSweepCompact').map((gc) => gc.afterGC.heapStatistics.usedHeapSize)),
  };
  if (reading.liveHeapBytes === -1) reading.liveHeapBytes = null;
  usedAtLastRead = v8.getHeapStatistics().used_heap_size;
  return reading;
}

const profileDir = process.env.BENCH_HEAP_PROFILE_DIR;
const session = profileDir ? new Session() : undefined;
if (session) {
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 16 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}

function writeHeapProfile(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!session || !profileDir) return resolve('');
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return reject(error);
      const file = path.join(profileDir, `Heap.${process.pid}.${Date.now()}.heapprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
      resolve(file);
    });
  });
}

const port = Number(process.env.BENCH_PROBE_PORT);
if (Number.isInteger(port) && port > 0) {
  const server = createServer(async (request, response) => {
    const body = JSON.stringify(request.url === '/heap-profile' ? { file: await writeHeapProfile() } : read());
    response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    response.end(body);
  });
  server.listen(port, '127.0.0.1');
  // The probe must never keep a process alive that would otherwise exit (SIGTERM's graceful close).
  server.unref();
}
