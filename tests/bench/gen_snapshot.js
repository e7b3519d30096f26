// node gen_snapshot.js NODES OUT: a heap snapshot of about NODES nodes.
// Objects in a tree (each holds its parent and, one in ten, a string of
// its own) under one array: deep enough that dominators matter.
const v8 = require('v8');
const target = Number(process.argv[2]);
const objects = Math.max(0, Math.floor((target - 60000) / 1.1));
const keep = new Array(objects);
for (let i = 0; i < objects; i++) {
  keep[i] = {id: i, parent: i ? keep[i >> 1] : null, label: i % 10 === 0 ? 'item-' + i : null};
}
globalThis.keep = keep;
v8.writeHeapSnapshot(process.argv[3]);
