package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.signal.Doorbell;
import dev.ipckit.spi.TemporaryFile;

/**
 * {@code ipckit gc} removes every kind of leftover no live process holds (doorbells, the temporaries of rings and
 * doorbells, whatever pid their names hold) and never one a live process holds. Rings: see {@link CliMmapTest}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliGcTest {
    @TempDir
    Path dir;

    @Test
    void shouldRemoveADeadDoorbellAndKeepALiveOne() throws Exception {
        final Path live = dir.resolve("live-bell");
        final Path dead = dir.resolve("dead-bell");
        try (Doorbell bell = Doorbell.create(live)) {
            Files.copy(live, dead); // a doorbell file whose waiter is gone: nobody holds its locks
            final Cli.Result gc = Cli.run("gc", dir.toString());
            assertEquals(0, gc.exitCode(), gc.err());
            assertTrue(gc.out().contains("removed  " + dead + " (doorbell"), gc.out());
            assertTrue(gc.out().contains("kept     " + live + " (doorbell in use, waiter pid "
                + PosixProcess.getpid()), gc.out());
            assertFalse(Files.exists(dead));
            assertTrue(Files.exists(live));
            assertFalse(bell.isPeerAlive(), "the live doorbell still answers (no ringer yet)");
        }
    }

    @Test
    void shouldRemoveTemporariesNoCreatorHoldsEvenUnderALivePidAndKeepOneBeingBuilt() throws Exception {
        // a creator killed before publishing, whose pid is alive again (here: this process's own pid)
        final Path ringLeftover = Files.writeString(dir.resolve(".orders." + PosixProcess.getpid()
            + "-00000000deadbeef" + TemporaryFile.SUFFIX), "x");
        final Path bellLeftover = Files.writeString(dir.resolve(".bell." + PosixProcess.getpid()
            + "-0000000000c0ffee" + TemporaryFile.SUFFIX), "x");
        final TemporaryFile building = TemporaryFile.create(dir.resolve("orders").toString(), 0600);
        try {
            final Cli.Result gc = Cli.run("gc", dir.toString());
            assertEquals(0, gc.exitCode(), gc.err());
            assertTrue(gc.out().contains("removed  " + ringLeftover), gc.out());
            assertTrue(gc.out().contains("removed  " + bellLeftover), gc.out());
            assertFalse(Files.exists(ringLeftover));
            assertFalse(Files.exists(bellLeftover));
            assertTrue(Files.exists(Path.of(building.path())), "its creator holds it: " + gc.out());
        } finally {
            building.discard();
        }
    }
}
