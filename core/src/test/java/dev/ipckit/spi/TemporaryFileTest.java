package dev.ipckit.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.posix.PosixProcess;

/**
 * Item 8 of the trust issue: a creator's temporary file never collides with a dead creator's leftover (random names,
 * drawn again on EEXIST), and a temporary is removable exactly when no live creator holds it, whatever its name says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TemporaryFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldDrawAnotherNameWhenALeftoverHasTheOneDrawn() throws IOException {
        final String target = dir.resolve("orders").toString();
        final Path leftover = Path.of(TemporaryFile.nameFor(target, 1));
        Files.writeString(leftover, "a dead creator's");
        final PrimitiveIterator.OfLong draws = LongStream.of(1, 2).iterator();
        final TemporaryFile temporary = TemporaryFile.create(target, 0600, draws::nextLong);
        try {
            assertEquals(TemporaryFile.nameFor(target, 2), temporary.path());
            assertEquals("a dead creator's", Files.readString(leftover), "the leftover is untouched");
            assertTrue(TemporaryFile.isTemporaryName(Path.of(temporary.path()).getFileName().toString()));
        } finally {
            temporary.discard();
        }
        assertFalse(Files.exists(Path.of(temporary.path())));
    }

    @Test
    void shouldNameTwoTemporariesOfOneProcessDifferentlyWithItsPidAndRandomness() {
        final String target = dir.resolve("orders").toString();
        final TemporaryFile first = TemporaryFile.create(target, 0600);
        final TemporaryFile second = TemporaryFile.create(target, 0600);
        try {
            assertNotEquals(first.path(), second.path());
            assertTrue(Path.of(first.path()).getFileName().toString()
                .matches("\\.orders\\." + PosixProcess.getpid() + "-[0-9a-f]{16}\\.ipckit-tmp"), first.path());
        } finally {
            first.discard();
            second.discard();
        }
    }

    @Test
    void shouldPublishOnceAndReportAFileAlreadyThere() throws IOException {
        final Path target = dir.resolve("published");
        final TemporaryFile winner = TemporaryFile.create(target.toString(), 0600);
        final TemporaryFile loser = TemporaryFile.create(target.toString(), 0600);
        try {
            assertTrue(winner.publish());
            assertFalse(loser.publish(), "RENAME_NOREPLACE: the first file stays");
        } finally {
            winner.discard();
            loser.discard();
        }
        assertTrue(Files.exists(target));
        assertFalse(Files.exists(Path.of(loser.path())));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(target)));
    }

    @Test
    void shouldKeepATemporaryWhileItsCreatorLivesAndRemoveItOnceTheCreatorIsKilled() throws Exception {
        final Path ready = dir.resolve("ready");
        final Process creator = new ProcessBuilder(JavaCommand.of(TemporaryFilePeer.class,
            List.of(dir.resolve("ring").toString(), ready.toString()))).inheritIO().start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                assertTrue(creator.isAlive(), "the creator exited with " + (creator.isAlive() ? 0 : creator.exitValue()));
                assertTrue(System.nanoTime() - deadline < 0, "the creator never got ready");
                creator.waitFor(5, TimeUnit.MILLISECONDS);
            }
            final String temporary = Files.readString(ready);
            assertFalse(TemporaryFile.removeIfAbandoned(temporary), "its creator lives and holds it");
            assertTrue(Files.exists(Path.of(temporary)));
            creator.destroyForcibly(); // SIGKILL between creating and publishing
            assertTrue(creator.waitFor(30, TimeUnit.SECONDS));
            assertTrue(TemporaryFile.removeIfAbandoned(temporary), "nobody holds it now");
            assertFalse(Files.exists(Path.of(temporary)));
        } finally {
            creator.destroyForcibly();
        }
    }
}
