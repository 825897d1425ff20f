import t from 'tap';
t.equal(process.version.slice(0, 3), 'v24');
