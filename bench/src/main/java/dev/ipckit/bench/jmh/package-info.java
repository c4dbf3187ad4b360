/**
 * JMH benchmarks, packaged as {@code bench/target/benchmarks.jar} (main class {@code org.openjdk.jmh.Main}):
 * round trips to an echo process per transport and wait mode ({@link dev.ipckit.bench.jmh.RoundTripBenchmark}),
 * producer/consumer throughput between two threads ({@link dev.ipckit.bench.jmh.ThroughputBenchmark}), and the
 * cost of one call through the POSIX layer beside the JDK's own ({@link dev.ipckit.bench.jmh.NativeCallBenchmark}).
 */
package dev.ipckit.bench.jmh;
