package io.specwatch.source.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint found in a watched directory: a file or a directory, and the training step it holds.
 *
 * @param path     the checkpoint file or directory
 * @param step     its training step
 * @param numbered true when the step is the checkpoint's position in modification-time order
 *                 (its name and contents say nothing about it)
 */
record CheckpointCandidate(Path path, long step, boolean numbered) {
}
