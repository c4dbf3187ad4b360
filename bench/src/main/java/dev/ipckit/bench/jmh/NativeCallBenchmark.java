package dev.ipckit.bench.jmh;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;

/**
 * The cost of one system call through ipckit's POSIX layer (FFM downcalls, errno captured per call) beside the
 * JDK's own way to make the same call:
 * <ul>
 *   <li>{@link #posixReadEmptyPipe}: {@code read(2)} of an empty non-blocking pipe, EAGAIN, through
 *       {@link PosixFiles#readNonBlocking} (linked critical: no thread-state transition);</li>
 *   <li>{@link #posixReadEmptyPipeWithTransition}: the same call through {@link PosixFiles#read}, linked for calls
 *       that may block;</li>
 *   <li>{@link #jdkReadEmptyPipe}: the same read through {@code java.nio.channels.Pipe.SourceChannel} in
 *       non-blocking mode (returns 0);</li>
 *   <li>{@link #posixGettid} and {@link #posixGetppid}: two trivial system calls, the floor of any call.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class NativeCallBenchmark {
    private Arena arena;
    private MemorySegment scratch;
    private int[] pipe;
    private Pipe jdkPipe;
    private ByteBuffer jdkScratch;

    /**
     * Makes an empty non-blocking pipe for each side, and the buffers.
     *
     * @throws IOException when the JDK's pipe cannot be opened.
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
        arena = Arena.ofShared();
        scratch = arena.allocate(64);
        pipe = PosixPipes.pipe2(PosixFiles.O_CLOEXEC | PosixFiles.O_NONBLOCK);
        jdkPipe = Pipe.open();
        jdkPipe.source().configureBlocking(false);
        jdkScratch = ByteBuffer.allocateDirect(64);
    }

    /**
     * Closes the pipes and frees the buffer.
     *
     * @throws IOException when the JDK's pipe cannot be closed.
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        PosixFiles.close(pipe[0]);
        PosixFiles.close(pipe[1]);
        jdkPipe.source().close();
        jdkPipe.sink().close();
        arena.close();
    }

    /**
     * @return -EAGAIN.
     */
    @Benchmark
    public long posixReadEmptyPipe() {
        return PosixFiles.readNonBlocking(pipe[0], scratch, 64);
    }

    /**
     * @return -EAGAIN.
     */
    @Benchmark
    public long posixReadEmptyPipeWithTransition() {
        return PosixFiles.read(pipe[0], scratch, 64);
    }

    /**
     * @return 0.
     * @throws IOException never on an open pipe.
     */
    @Benchmark
    public int jdkReadEmptyPipe() throws IOException {
        jdkScratch.clear();
        return jdkPipe.source().read(jdkScratch);
    }

    /**
     * @return this thread's id.
     */
    @Benchmark
    public int posixGettid() {
        return PosixProcess.gettid();
    }

    /**
     * @return the parent's process id.
     */
    @Benchmark
    public int posixGetppid() {
        return PosixProcess.getppid();
    }
}
