/** One object per kernel connection, made on first use and dropped with the connection. */
export function perKernel<K extends object, V>(make: (kernel: K) => V): (kernel: K) => V {
  const made = new WeakMap<K, V>();
  return kernel => {
    let value = made.get(kernel);
    if (value === undefined) {
      value = make(kernel);
      made.set(kernel, value);
    }
    return value;
  };
}
