package dev.ipckit.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.ipckit.ChannelException;
import dev.ipckit.mmap.RingFileInspector;
import dev.ipckit.signal.Doorbell;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ipckit gc [DIR]}: removes the ipckit files that no process holds any more: rings, doorbells, and the
 * temporary files of creators that died before publishing either. Liveness is always a lock test (the kernel drops
 * a dead process's locks), never a pid test, since pids are reused.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"List and remove the ipckit files in DIR that no process holds: ring files whose every role lock",
        "is free (their owners died or closed without unlinkOnClose), doorbell files whose waiter died, and the",
        "temporary files of creators that died before publishing a ring or a doorbell. A file any live process",
        "holds is never removed; files that are not ipckit files of this user are left alone."})
final class GcCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = "/dev/shm", description = "the directory (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--dry-run", description = "only list what would be removed")
    boolean dryRun;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        final List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
        int removed = 0;
        int kept = 0;
        for (final Path file : files) {
            final RingFileInspector.Stat stat;
            try (RingFileInspector inspector = RingFileInspector.open(file.toString())) {
                stat = inspector.stat();
            } catch (final ChannelException notARing) {
                final Doorbell.Holders bell = Doorbell.probe(file);
                if (bell == null) {
                    continue; // neither an ipckit ring nor a doorbell of this user: not ours to judge
                }
                if (!bell.abandoned()) {
                    kept++;
                    System.out.println("kept     " + file + " (doorbell in use" + (bell.waiterAlive()
                        ? ", waiter pid " + bell.waiterPid() : "") + (bell.ringerAlive() ? ", ringer alive" : "") + ")");
                } else if (dryRun) {
                    System.out.println("abandoned " + file + " (doorbell; would be removed)");
                } else if (Doorbell.removeIfAbandoned(file)) {
                    removed++;
                    System.out.println("removed  " + file + " (doorbell whose waiter pid " + bell.waiterPid()
                        + " died)");
                } else {
                    kept++;
                    System.out.println("kept     " + file + " (a doorbell end opened it meanwhile)");
                }
                continue;
            }
            if (!stat.abandoned()) {
                kept++;
                System.out.println("kept     " + file + " (in use" + (stat.receiver().alive() ? ", receiver pid " + stat.receiver().pid() : "")
                    + (stat.senderLockHeld() ? ", senders alive" : "") + ")");
            } else if (dryRun) {
                System.out.println("abandoned " + file + " (would be removed)");
            } else if (RingFileInspector.removeIfAbandoned(file.toString())) {
                removed++;
                System.out.println("removed  " + file + " (no end holds it; last receiver pid " + stat.receiver().pid() + ")");
            } else {
                kept++;
                System.out.println("kept     " + file + " (an end opened it meanwhile)");
            }
        }
        if (!dryRun) {
            for (final Path temporary : RingFileInspector.removeStaleTemporaries(dir)) {
                removed++;
                System.out.println("removed  " + temporary + " (temporary file no creator holds)");
            }
        }
        System.out.println("gc: " + removed + " removed, " + kept + " in use, in " + dir);
        return 0;
    }
}
