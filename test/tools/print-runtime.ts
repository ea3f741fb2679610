// Printed at the start of `npm test` so CI logs prove which runtime ran the suites.
const major = Number(process.versions.node.split('.')[0]);
console.log(`runtime: node ${process.version} (${process.execPath})`);
if (major !== 24) {
  console.error(
    `Roster targets Node.js 24 LTS; this is ${process.version}. Run through npm scripts (they use the pinned node from node_modules/.bin).`,
  );
  process.exit(1);
}
