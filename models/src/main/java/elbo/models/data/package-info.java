/**
 * The image data sets ELBO trains on: MNIST, Fashion-MNIST, statically binarized MNIST and the small UCI
 * digits (embedded). {@link elbo.models.data.DataSets#load} finds each file in a data directory (or downloads
 * it, see {@link elbo.models.data.Download}), verifies it against its published SHA-256 and parses it with a
 * strict reader ({@link elbo.models.data.IdxReader}, {@link elbo.models.data.AmatReader},
 * {@link elbo.models.data.DigitsCsvReader}). Every failure is a typed {@link java.io.IOException}:
 * {@link elbo.models.data.DataUnavailableException}, {@link elbo.models.data.ChecksumMismatchException} or
 * {@link elbo.models.data.DataFormatException}, each with a one-line message that names the file.
 */
package elbo.models.data;
