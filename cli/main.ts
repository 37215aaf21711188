export async function main(argv: string[]): Promise<number> {
  console.log('bpftc', argv.join(' '));
  return 0;
}
