package io.specwatch.source.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightTensor;
import io.specwatch.analysis.TensorValues;
import io.specwatch.monitor.WeightSource;
import io.specwatch.tensorfile.Checkpoint;
import io.specwatch.tensorfile.ReadLimits;
import io.specwatch.tensorfile.TensorEntry;
import io.specwatch.tensorfile.TensorFormatException;

/**
 * One checkpoint on disk as a {@link WeightSource}: its floating-point tensors, each a handle that
 * reads its values when the analysis asks (memory-mapped, one tensor at a time), so the memory a
 * checkpoint needs is that of its largest tensor. A handle opens the checkpoint again when it is
 * read later (ΔW reads the previous checkpoint's tensor), and fails when the checkpoint is gone.
 */
final class CheckpointSource implements WeightSource, AutoCloseable {

    private final Path path;
    private final ReadLimits limits;
    private final List<TensorInfo> tensors;
    /** Open while this is the checkpoint being analysed, so its tensors are read without reopening it. */
    private Checkpoint open;
    private boolean closed;

    /** Opens the checkpoint once to list its tensors; fails with a one-line reason. */
    CheckpointSource(Path path, ReadLimits limits) throws TensorFormatException {
        this.path = path;
        this.limits = limits;
        List<TensorInfo> list = new ArrayList<>();
        try (Checkpoint c = Checkpoint.open(path, limits)) {
            for (TensorEntry e : c.entries()) {
                if (e.type() != null) {
                    list.add(new TensorInfo(e.name(), e.shape()));
                }
            }
        }
        this.tensors = List.copyOf(list);
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public WeightTensor copy(TensorInfo tensor) {
        return new Handle(this, tensor);
    }

    Path path() {
        return path;
    }

    /** The tensor's values: from the open checkpoint while it is current, else from a fresh open. */
    synchronized TensorValues read(String name) throws IOException {
        if (closed) {
            try (Checkpoint c = Checkpoint.open(path, limits)) {
                return read(c, name);
            }
        }
        if (open == null) {
            open = Checkpoint.open(path, limits);
        }
        return read(open, name);
    }

    private TensorValues read(Checkpoint c, String name) throws IOException {
        for (TensorEntry e : c.entries()) {
            if (e.name().equals(name)) {
                return TensorValues.read(c, e);
            }
        }
        throw new TensorFormatException(path + ": tensor " + name + " is gone");
    }

    /** This checkpoint is no longer the current one: later reads (ΔW) open it again, if it still exists. */
    @Override
    public synchronized void close() {
        closed = true;
        if (open != null) {
            open.close();
            open = null;
        }
    }

    /** Nothing is copied now: the handle reads when the analysis runs. */
    @Override
    public long copyBytes(TensorInfo tensor) {
        return 0;
    }

    /** A tensor of a checkpoint on disk, read on demand. */
    private record Handle(CheckpointSource source, TensorInfo info) implements WeightTensor {

        @Override
        public float[] values() throws IOException {
            TensorValues v = read();
            return v.at(0);
        }

        @Override
        public TensorValues read() throws IOException {
            return source.read(info.name());
        }

        @Override
        public long heldBytes() {
            return 0;
        }
    }
}
