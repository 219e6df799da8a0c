package io.specwatch.engine;

/**
 * Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations, in plain Java:
 * for the few-by-few projected problems of Krylov methods, where a native call costs more than the
 * arithmetic. Accurate to working precision; O(n³) per sweep, so keep n small (≲ 100).
 */
final class SymmetricJacobi {

    private static final int MAX_SWEEPS = 60;

    private SymmetricJacobi() {
    }

    /**
     * Diagonalises {@code a} in place (its diagonal ends up holding the eigenvalues, unordered) and
     * returns the eigenvectors as columns: q[i][j] is component i of the eigenvector of a[j][j].
     */
    static double[][] eigenvectors(double[][] a) {
        int n = a.length;
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            double scale = 0;
            for (int i = 0; i < n; i++) {
                scale += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off <= 1e-32 * scale || off == 0) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int r = p + 1; r < n; r++) {
                    if (a[p][r] != 0) {
                        rotate(a, q, p, r);
                    }
                }
            }
        }
        return q;
    }

    /** One rotation that zeroes a[p][r] (Golub & Van Loan, Algorithm 8.5.1). */
    private static void rotate(double[][] a, double[][] q, int p, int r) {
        double theta = (a[r][r] - a[p][p]) / (2 * a[p][r]);
        double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akr = a[k][r];
            a[k][p] = c * akp - s * akr;
            a[k][r] = s * akp + c * akr;
        }
        for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double ark = a[r][k];
            a[p][k] = c * apk - s * ark;
            a[r][k] = s * apk + c * ark;
        }
        for (int k = 0; k < n; k++) {
            double qkp = q[k][p];
            double qkr = q[k][r];
            q[k][p] = c * qkp - s * qkr;
            q[k][r] = s * qkp + c * qkr;
        }
    }
}
