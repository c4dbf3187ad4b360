package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The JMH annotation processor ran: the benchmark list the shaded jar's {@code org.openjdk.jmh.Main} reads names
 * round-trip and throughput benchmarks for every transport, and the native-call benchmarks.
 */
class BenchmarkListTest {
    @Test
    void shouldListBenchmarksForEveryTransport() throws IOException {
        final String list;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertNotNull(in, "META-INF/BenchmarkList is missing: JMH's annotation processor did not run");
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (final String transport : new String[] {"Mmap", "Fifo", "Pipe"}) {
            assertTrue(list.contains("dev.ipckit.bench.jmh." + transport + "RoundTripBenchmark"), transport);
            assertTrue(list.contains("dev.ipckit.bench.jmh." + transport + "ThroughputBenchmark"), transport);
        }
        for (final String call : new String[] {"posixReadEmptyPipe", "jdkReadEmptyPipe", "posixGettid"}) {
            assertTrue(list.contains(call), call);
        }
    }
}
