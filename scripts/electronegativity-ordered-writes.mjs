// Preloaded into electronegativity by scripts/electronegativity.sh. The tool writes its CSV report with two
// fs.writeFile calls in the same tick, the header truncating the file and the rows appending to it; in libuv's
// thread pool they race, and under load the report came out garbled or as the header alone. Done synchronously,
// in call order, the header is always first.
import fs from 'node:fs';

fs.writeFile = function writeFileInOrder(file, data, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  let error = null;
  try {
    fs.writeFileSync(file, data, options);
  } catch (e) {
    error = e;
  }
  process.nextTick(() => callback && callback(error));
};
