package org.vae4j.internal;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomic file writes, the one implementation used by the whole library and the examples. Not API
 * (see the {@linkplain org.vae4j.internal package}).
 *
 * <p>A write
 * <ol>
 *   <li>creates a hidden temporary file {@code .NAME.RANDOM.tmp} in the target's folder (creating
 *       missing parent folders), with the default permissions;</li>
 *   <li>lets the caller write the content into it;</li>
 *   <li>forces the temporary file to disk ({@code fsync});</li>
 *   <li>renames it over the target with {@link StandardCopyOption#ATOMIC_MOVE} (replacing an
 *       existing file);</li>
 *   <li>forces the folder to disk, so that the rename itself is durable, where the platform allows
 *       a folder to be opened; failing that is logged at DEBUG and is not an error.</li>
 * </ol>
 *
 * <p>On any failure the temporary file is deleted and the target is left exactly as it was (a
 * temporary file that cannot be deleted is logged at WARN). A crash of the JVM or the machine
 * leaves the previous target intact and at worst a stray {@code .NAME.*.tmp} file, which
 * {@link #removeStaleTemporaries} deletes when a program next starts writing into that folder.
 *
 * <p>There is <em>never</em> a fall-back to a non-atomic move or copy: where the file system cannot
 * rename atomically the write fails with an {@link AtomicMoveNotSupportedException} that names the
 * target, and nothing is written.
 *
 * <p>Exceptions thrown by the caller's writer propagate unchanged. Failures of the steps above throw
 * an {@link IOException} whose message starts with the target's name.
 *
 * <p>Stateless and thread-safe: two threads writing the same target leave one of the two files.
 */
public final class AtomicFiles {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    private static final int BUFFER_BYTES = 1 << 16;
    private static final int NAME_ATTEMPTS = 10;

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface StreamWriter {
        /**
         * @param out buffered; flushed by the caller afterwards; closing it is allowed and only flushes
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes a file's content to a channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        /** @param out the temporary file's channel, unbuffered; must not be closed */
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** The rename step; tests replace it to simulate a file system without atomic rename. */
    @FunctionalInterface
    interface Mover {
        void move(Path source, Path target) throws IOException;
    }

    private static final Mover ATOMIC_MOVE = (source, target) ->
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically through a buffered stream (see the class documentation).
     *
     * @param target the file to create or replace; missing parent folders are created
     * @param writer writes the content
     * @throws IOException when the file cannot be written; the target is then unchanged
     */
    public static void write(Path target, StreamWriter writer) throws IOException {
        writeChannel(target, channel -> {
            OutputStream out = new BufferedOutputStream(new NonClosing(Channels.newOutputStream(channel)),
                    BUFFER_BYTES);
            writer.writeTo(out);
            out.flush();
        });
    }

    /**
     * Writes {@code target} atomically through the temporary file's channel (see the class
     * documentation).
     *
     * @param target the file to create or replace; missing parent folders are created
     * @param writer writes the content
     * @throws IOException when the file cannot be written; the target is then unchanged
     */
    public static void writeChannel(Path target, ChannelWriter writer) throws IOException {
        writeChannel(target, writer, ATOMIC_MOVE);
    }

    /** {@link #writeChannel(Path, ChannelWriter)} with the rename step given (tests). */
    static void writeChannel(Path target, ChannelWriter writer, Mover mover) throws IOException {
        Path tmp = createTempSibling(target);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writer.writeTo(channel);
                force(channel, target);
            }
            move(tmp, target, mover);
            moved = true;
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
        syncDirectory(folderOf(target));
    }

    /**
     * Creates an empty hidden file {@code .NAME.RANDOM.tmp} beside {@code target}, creating missing
     * parent folders, with the default permissions (not the 0600 of
     * {@link Files#createTempFile}). For content that is not produced by a writer (a download);
     * finish with {@link #moveIntoPlace}, and delete the file if that is never reached.
     *
     * @throws IOException naming the target, when the target is a folder or the file cannot be created
     */
    public static Path createTempSibling(Path target) throws IOException {
        Path dir = folderOf(target);
        if (Files.isDirectory(target)) {
            throw new IOException(target + ": is a folder");
        }
        try {
            Files.createDirectories(dir);
            for (int attempt = 0; ; attempt++) {
                String random = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
                Path tmp = dir.resolve("." + target.getFileName() + "." + random + ".tmp");
                try {
                    return Files.createFile(tmp);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= NAME_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new IOException(target + ": could not create a temporary file in " + dir + " (" + e + ")", e);
        }
    }

    /**
     * Finishes a write begun with {@link #createTempSibling}: forces {@code tmp} to disk, renames
     * it atomically over {@code target} and forces the folder. On failure {@code tmp} is deleted
     * and {@code target} is unchanged.
     *
     * @param tmp    a file in {@code target}'s folder, complete and closed
     * @param target the file to create or replace
     * @throws AtomicMoveNotSupportedException when the file system cannot rename atomically
     * @throws IOException                     naming the target, for any other failure
     */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        boolean moved = false;
        try {
            FileChannel channel;
            try {
                channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new IOException(target + ": could not open the temporary file " + tmp + " (" + e + ")", e);
            }
            try (channel) {
                force(channel, target);
            }
            move(tmp, target, ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
        syncDirectory(folderOf(target));
    }

    /** The names {@link #createTempSibling} gives: {@code .NAME.RANDOM.tmp}, RANDOM up to 16 hex digits. */
    private static final Pattern TEMP_NAME = Pattern.compile("\\.(.+)\\.[0-9a-f]{1,16}\\.tmp");

    /**
     * Deletes the temporary files that writes into {@code dir} left behind when the JVM was killed
     * mid-write ({@code .NAME.RANDOM.tmp}, see the class documentation), for a program to call when
     * it starts writing into a folder it owns. Only files whose NAME is in {@code targets} (or any
     * NAME when {@code targets} is null) are deleted; a file that cannot be deleted is logged at
     * WARN and skipped. Not safe while another process writes into the same folder.
     *
     * @param dir     the folder; missing is the same as empty
     * @param targets the file names whose temporary files to delete, or null for all
     * @return the files deleted, sorted
     * @throws IOException naming the folder when it cannot be listed
     */
    public static List<Path> removeStaleTemporaries(Path dir, Collection<String> targets) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Matcher m = TEMP_NAME.matcher(f.getFileName().toString());
                if (m.matches() && (targets == null || targets.contains(m.group(1))) && Files.isRegularFile(f,
                        LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.delete(f);
                        removed.add(f);
                    } catch (IOException e) {
                        LOG.warn("could not delete the stale temporary file {}: {}", f, e.toString());
                    }
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            throw new IOException(dir + ": could not list the folder (" + e + ")", e);
        }
        Collections.sort(removed);
        return removed;
    }

    /** The absolute parent folder of {@code target}; a target at the root of the file system is refused. */
    private static Path folderOf(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || target.getFileName() == null) {
            throw new IOException(target + ": cannot write a file at the root of the file system");
        }
        return dir;
    }

    private static void force(FileChannel channel, Path target) throws IOException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new IOException(target + ": could not force the temporary file to disk (" + e + ")", e);
        }
    }

    /** Renames atomically; never falls back to a non-atomic move, which could leave a broken file. */
    private static void move(Path tmp, Path target, Mover mover) throws IOException {
        try {
            mover.move(tmp, target.toAbsolutePath());
        } catch (AtomicMoveNotSupportedException e) {
            AtomicMoveNotSupportedException refused = new AtomicMoveNotSupportedException(target.toString(), null,
                    "the file system cannot rename a file atomically, so the file was not written (vae4j never "
                            + "falls back to a non-atomic move, which could leave a half-written file)"
                            + (e.getReason() == null ? "" : ": " + e.getReason()));
            refused.initCause(e);
            throw refused;
        } catch (IOException e) {
            throw new IOException(target + ": could not rename the temporary file " + tmp.getFileName()
                    + " over it (" + e + ")", e);
        }
    }

    /**
     * Forces a folder's entries (a rename into it) to disk where the platform allows a folder to be
     * opened (not on Windows, for one); a failure is logged at DEBUG and otherwise ignored.
     */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("could not force folder {} to disk: {}", dir, e.toString());
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            LOG.warn("could not delete the temporary file {}: {}", tmp, e.toString());
        }
    }

    /** A stream whose {@code close} only flushes: the channel must stay open to be forced. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
