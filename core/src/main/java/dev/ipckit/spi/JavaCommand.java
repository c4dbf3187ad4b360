package dev.ipckit.spi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line of a child JVM that runs like this one: the same {@code java} executable, the same
 * class path, and the flags ipckit needs ({@link #JVM_FLAGS}). Used to start peers in other processes.
 */
public final class JavaCommand {
    /** The flags every JVM that runs ipckit needs: FFM downcalls, and Agrona's access to jdk.internal.misc. */
    public static final List<String> JVM_FLAGS = List.of(
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    private JavaCommand() {
    }

    /**
     * @return the path of the running JVM's {@code java} executable.
     */
    public static String javaExecutable() {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("cannot find the java executable at " + java);
        }
        return java.toString();
    }

    /**
     * The command line that runs {@code mainClass} in a new JVM with this JVM's class path.
     *
     * @param mainClass a class with a {@code main} method.
     * @param args its arguments.
     * @return java, flags, class path, main class and arguments.
     */
    public static List<String> of(final Class<?> mainClass, final List<String> args) {
        final List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(JVM_FLAGS);
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        return command;
    }
}
