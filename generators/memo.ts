// Values made once per key: the generators build arbitraries from a few keys (a
// number of domains, an enum, a name) inside chain(), once per generated case
// unless remembered (issue 13). Arbitraries keep no state between values, so a
// remembered one draws what a new one would. Unbounded: for small key sets only.

export function perKey<K, V>(make: (k: K) => V): (k: K) => V {
  const made = new Map<K, V>();
  return (k) => {
    if (made.has(k)) return made.get(k)!;
    const v = make(k);
    made.set(k, v);
    return v;
  };
}
