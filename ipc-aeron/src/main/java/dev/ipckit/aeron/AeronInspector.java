package dev.ipckit.aeron;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelUri;

/**
 * Reads what media drivers know about an {@code aeron:udp} channel without taking a role in it: the counters
 * (publisher, sender and receiver positions and limits, subscriber positions) whose channel names the URI's
 * endpoint and stream, read from each driver's {@code cnc.dat}, mapped read-only, as Aeron's {@code AeronStat}
 * does. For {@code driver=embedded} (the default) it looks at every embedded driver of this user's ends in
 * {@code /dev/shm}; for {@code driver=external}, at the driver in {@code aeron.dir}.
 */
public final class AeronInspector {
    private AeronInspector() {
    }

    /**
     * One media driver and the counters it has for the channel.
     *
     * @param directory the driver's directory.
     * @param pid the driver's process id, from its cnc file.
     * @param alive whether that process runs.
     * @param embedded whether it is an embedded driver of an ipckit end.
     * @param counters the counters naming the channel's endpoint and stream.
     */
    public record Driver(Path directory, long pid, boolean alive, boolean embedded, List<Counter> counters) {
    }

    /**
     * One counter.
     *
     * @param id its id in the driver.
     * @param label its label, e.g. {@code sub-pos: 7 -1826428143 1001 aeron:udp?endpoint=127.0.0.1:40123 @0}.
     * @param value its value.
     */
    public record Counter(int id, String label, long value) {
    }

    /**
     * Inspects the drivers that may serve a channel.
     *
     * @param uri an {@code aeron:udp} URI.
     * @return every driver found, with the counters naming the URI's endpoint and stream (possibly none).
     * @throws IllegalArgumentException for a bad URI.
     * @throws ChannelException when a driver's directory cannot be listed or its cnc file read.
     */
    public static List<Driver> inspect(final String uri) {
        final AeronOptions options = AeronOptions.parse(ChannelUri.parse(uri));
        final List<Driver> drivers = new ArrayList<>();
        if (options.external()) {
            final Path cnc = CommonContext.newCncFile(options.aeronDir()).toPath();
            if (Files.isRegularFile(cnc)) {
                drivers.add(read(cnc, false, options));
            }
            return drivers;
        }
        final Path base = Files.isDirectory(AeronSession.SHM) ? AeronSession.SHM
            : Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> entries = Files.list(base)) {
            for (final Path directory : entries.filter(p -> p.getFileName().toString()
                .startsWith(AeronSession.DIRECTORY_PREFIX)).sorted().toList()) {
                final Path cnc = directory.resolve("driver").resolve(CncFileDescriptor.CNC_FILE);
                if (Files.isRegularFile(cnc) && Files.isReadable(cnc)) {
                    drivers.add(read(cnc, true, options));
                }
            }
        } catch (final IOException e) {
            throw new ChannelException("cannot list " + base + " for the embedded media drivers of '" + uri + "': "
                + e.getMessage(), e);
        }
        return drivers;
    }

    private static Driver read(final Path cnc, final boolean embedded, final AeronOptions options) {
        MappedByteBuffer mapped = null;
        try (FileChannel file = FileChannel.open(cnc, StandardOpenOption.READ)) {
            final long size = file.size();
            if (size < CncFileDescriptor.END_OF_METADATA_OFFSET || size > Integer.MAX_VALUE) {
                throw new ChannelException(cnc + " is " + size + " bytes, not an Aeron cnc file");
            }
            mapped = file.map(FileChannel.MapMode.READ_ONLY, 0, size);
            final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(mapped);
            final int version = meta.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
            CncFileDescriptor.checkVersion(version);
            if (!CncFileDescriptor.isCncFileLengthSufficient(meta, (int) size)) {
                throw new ChannelException(cnc + " is shorter (" + size + " bytes) than its header says");
            }
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, meta),
                CncFileDescriptor.createCountersValuesBuffer(mapped, meta));
            final String endpoint = "endpoint=" + options.endpoint();
            final String stream = " " + options.stream() + " aeron:udp?";
            final List<Counter> found = new ArrayList<>();
            counters.forEach((value, id, label) -> {
                if (label.contains(stream) && namesEndpoint(label, endpoint)) {
                    found.add(new Counter(id, label, counters.getCounterValue(id)));
                }
            });
            final long pid = CncFileDescriptor.pid(meta);
            final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return new Driver(cnc.getParent(), pid, alive, embedded, found);
        } catch (final IOException | RuntimeException e) {
            if (e instanceof ChannelException channel) {
                throw channel;
            }
            throw new ChannelException("cannot read the media driver's " + cnc + ": " + e.getMessage(), e);
        } finally {
            if (mapped != null) {
                IoUtil.unmap(mapped);
            }
        }
    }

    private static boolean namesEndpoint(final String label, final String endpoint) {
        final int at = label.indexOf(endpoint);
        if (at < 0) {
            return false;
        }
        final int end = at + endpoint.length();
        return end == label.length() || label.charAt(end) == '|' || label.charAt(end) == ' ';
    }
}
