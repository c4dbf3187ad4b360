/**
 * Measuring ipckit: JMH benchmarks, the HdrHistogram ping-pong tool behind {@code ipckit bench}, and the C
 * programs that measure the machine's own limits for each mechanism.
 */
package dev.ipckit.bench;
