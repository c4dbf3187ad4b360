package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes create the same ring at the same moment, fifty times: each time exactly one publishes a file,
 * the other opens that file, and both ends are connected (a message crosses). The children meet through a
 * shared mapping before each round, so that both open within microseconds of each other.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MmapCreationRaceTest {
    private static final int ROUNDS = 50;

    @TempDir
    Path dir;

    @Test
    void shouldPublishOneFileAndConnectBothEndsWhenTwoProcessesCreateItAtOnce() throws IOException {
        final Path rings = Files.createDirectory(dir.resolve("rings"));
        final Path control = Files.write(dir.resolve("control"), new byte[4096]);
        try (MmapPeers.Child sender = MmapPeers.start(dir, List.of("race", "sender", rings.toString(),
                 Integer.toString(ROUNDS), control.toString()));
             MmapPeers.Child receiver = MmapPeers.start(dir, List.of("race", "receiver", rings.toString(),
                 Integer.toString(ROUNDS), control.toString()))) {
            assertEquals(0, sender.awaitExit(Duration.ofSeconds(120)), "the sending child finished every round");
            assertEquals(0, receiver.awaitExit(Duration.ofSeconds(120)), "the receiving child finished every round");
            final List<String> sent = sender.output();
            final List<String> received = receiver.output();
            assertEquals(ROUNDS, sent.size(), sent.toString());
            assertEquals(ROUNDS, received.size(), received.toString());
            int senderCreated = 0;
            for (int round = 0; round < ROUNDS; round++) {
                final String[] s = sent.get(round).split(" ");
                final String[] r = received.get(round).split(" ");
                assertEquals(Integer.toString(round + 1), s[0]);
                assertEquals(Integer.toString(round + 1), r[0]);
                assertNotEquals(s[1], r[1], "round " + (round + 1) + ": exactly one end created the file");
                assertEquals(s[2], r[2], "round " + (round + 1) + ": both ends mapped the same file");
                senderCreated += Boolean.parseBoolean(s[1]) ? 1 : 0;
            }
            try (var files = Files.list(rings)) {
                final List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(ROUNDS, names.size(), "one file per round and no temporary left: " + names);
                names.forEach(name -> assertEquals(true, name.startsWith("race-"), name));
            }
            System.out.println("creation race: the sender created " + senderCreated + " of " + ROUNDS + " rings");
        }
    }
}
