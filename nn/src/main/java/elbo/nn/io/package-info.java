/**
 * Checkpoints in the safetensors format: {@link elbo.nn.io.Safetensors} reads (with strict validation)
 * and writes (atomically) the format itself, and {@link elbo.nn.io.Checkpoint} stores a module, an
 * optimizer and run metadata in one file and loads them all-or-nothing. Problems with a file are
 * reported as {@link elbo.nn.io.CheckpointException}s naming the file, the entry and the problem.
 */
package elbo.nn.io;
