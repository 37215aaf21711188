// Placeholder until the executor lands; replaced by the oracle build.
console.log('bpftc: oracle executor not built yet');
