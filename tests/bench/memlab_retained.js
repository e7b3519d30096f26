// node memlab_retained.js SNAPSHOT OUT: "node-id retained-size" per node,
// as memlab computes them (how tests/data/node8k.memlab.txt was made).
const fs = require('fs');
const {getFullHeapFromFile} = require('@memlab/heap-analysis');
getFullHeapFromFile(process.argv[2]).then(heap => {
  const lines = [];
  heap.nodes.forEach(node => { lines.push(node.id + ' ' + node.retainedSize); });
  fs.writeFileSync(process.argv[3], lines.join('\n') + '\n');
});
