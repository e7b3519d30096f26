// node memlab_full_heap.js SNAPSHOT: memlab's getFullHeapFromFile, which
// parses the snapshot and computes dominators and retained sizes; prints
// the node count.
const {getFullHeapFromFile} = require('@memlab/heap-analysis');
getFullHeapFromFile(process.argv[2]).then(heap => console.log(heap.nodes.length));
