// danfojs-node requires @tensorflow/tfjs-node (native, unbuildable here). Hand it the project's pure-JS
// @tensorflow/tfjs (resolved from the repo root's node_modules) so the kernel holds a single tfjs: two
// copies share one global kernel registry and warn about every kernel twice.
module.exports = require('@tensorflow/tfjs');
