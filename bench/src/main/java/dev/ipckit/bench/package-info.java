/**
 * Measuring ipckit: JMH benchmarks, the round-trip and throughput tables behind {@code ipckit bench} (rows compared
 * with one another measured in interleaved segments, each comparison the median of its per-segment ratios), and the
 * C programs that measure the machine's own limits for each mechanism.
 */
package dev.ipckit.bench;
