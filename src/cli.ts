process.stderr.write('value-lens: not built yet\n');
process.exit(2);
