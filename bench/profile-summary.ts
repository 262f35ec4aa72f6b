/**
 * `node dist/bench/profile-summary.js <file.cpuprofile|file.heapprofile>...`: where a profile of
 * the service (BENCH_PROFILE=1, or --heap-prof through BENCH_SERVICE_NODE_FLAGS) spent its time or
 * its allocation, by owner: each npm package, each of our source files, Node's internals. Self
 * time (or bytes) is charged to the frame that spent it; "inclusive" charges a whole call below
 * the first frame of an owner to that owner, which is how "redaction costs 40 %" is read.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

function ownerOf(frame: CallFrame): string {
  const url = frame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/(src\/.*)\.js$/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  return url;
}

/** Self and inclusive weight per owner, from a tree given as (node → weight, children). */
function tally<N>(roots: N[], weight: (node: N) => number, children: (node: N) => N[], frame: (node: N) => CallFrame) {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  // Each owner counted once per stack: a package calling back into itself is not double-counted.
  const walk = (node: N, onStack: Set<string>): number => {
    const owner = ownerOf(frame(node));
    const own = weight(node);
    total += own;
    self.set(owner, (self.get(owner) ?? 0) + own);
    const fresh = !onStack.has(owner);
    if (fresh) onStack.add(owner);
    let below = own;
    for (const child of children(node)) below += walk(child, onStack);
    if (fresh) {
      onStack.delete(owner);
      inclusive.set(owner, (inclusive.get(owner) ?? 0) + below);
    }
    return below;
  };
  for (const root of roots) walk(root, new Set());
  return { self, inclusive, total };
}

function print(title: string, result: ReturnType<typeof tally>, unit: (value: number) => string): void {
  const rows = [...result.self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`\n${title} — total ${unit(result.total)}`);
  console.log('| owner | self | self % | inclusive % |\n|---|---:|---:|---:|');
  for (const [owner, value] of rows) {
    const pct = (v: number) => ((100 * v) / result.total).toFixed(1);
    console.log(`| ${owner} | ${unit(value)} | ${pct(value)} | ${pct(result.inclusive.get(owner) ?? 0)} |`);
  }
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes?: CpuNode[]; samples?: number[]; timeDeltas?: number[]; head?: HeapNode };
  if (profile.head) {
    const result = tally([profile.head], (n) => n.selfSize, (n) => n.children, (n) => n.callFrame);
    print(`${file} (sampled allocation)`, result, (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  } else if (profile.nodes && profile.samples && profile.timeDeltas) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const time = new Map<number, number>();
    profile.samples.forEach((id, index) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas![index] ?? 0)));
    const result = tally([profile.nodes[0]!], (n) => time.get(n.id) ?? 0, (n) => (n.children ?? []).map((id) => byId.get(id)!), (n) => n.callFrame);
    // Idle time is not cost: report shares of the time the thread was busy.
    const idle = result.self.get('(idle)') ?? 0;
    result.total -= idle;
    result.self.delete('(idle)');
    result.inclusive.delete('(idle)');
    print(`${file} (CPU, busy time)`, result, (us) => `${(us / 1000).toFixed(0)} ms`);
  }
}
