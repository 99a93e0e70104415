// CPU profiles of an app under benchmark (--profile), and a summary of where its time went.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./cpu-profile-preload.mjs', import.meta.url))).href;
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Environment that makes an app profile itself into `dir/name.cpuprofile`, and the signal that ends it. */
export function profileOptions(dir, name) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.cpuprofile`);
  return {
    file,
    stopSignal: 'SIGUSR2',
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim(), BENCH_CPU_PROFILE: file },
  };
}

/** Self time by package or app folder, and the functions with the most inclusive time. */
export function summariseProfile(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfByArea = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = nodes.get(id);
    if (leaf.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    total += ms;
    add(selfByArea, area(leaf.callFrame), ms);
    const onStack = new Set();
    for (let node = leaf; node; node = nodes.get(parent.get(node.id))) {
      const key = frameName(node.callFrame);
      if (!onStack.has(key)) add(inclusive, key, ms);
      onStack.add(key);
    }
  });

  const percent = (ms) => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;
  const list = (map, skip = () => false) =>
    [...map]
      .filter(([key]) => !skip(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => `  ${percent(ms)}  ${key}`)
      .join('\n');
  return [
    `cpu profile ${file}: ${(total / 1000).toFixed(1)} s busy, ${(idle / 1000).toFixed(1)} s idle`,
    'self time by area:',
    list(selfByArea),
    'inclusive time by function:',
    list(inclusive, (key) => key.startsWith('(root)') || key.startsWith('(program)')),
  ].join('\n');
}

function area({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
  if (inModules) return inModules[1];
  if (file.startsWith('node:')) return 'node internals';
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') ? file : path.dirname(relative);
}

function frameName({ functionName, url, lineNumber }) {
  const where = url ? `${area({ url, functionName })}/${path.basename(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}
