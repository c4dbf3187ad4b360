package dev.ipckit.spi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The child of {@link TemporaryFileTest}: creates a temporary file for {@code TARGET}, writes its path to
 * {@code READY} (atomically), and waits to be killed. Usage: {@code TARGET READY}. Exit 3 when never killed.
 */
public final class TemporaryFilePeer {
    private TemporaryFilePeer() {
    }

    /**
     * @param args TARGET READY.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final TemporaryFile temporary = TemporaryFile.create(args[0], 0600);
        final Path tmp = Path.of(args[1] + ".tmp");
        Files.writeString(tmp, temporary.path());
        Files.move(tmp, Path.of(args[1]), StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(120_000); // the test kills this process; this bound ends an orphan
        System.exit(3);
    }
}
