namespace VoxScheduler.Images.Nifti;

/// <summary>
/// Between a NIfTI header's orientation (RAS, qform/sform) and an image's geometry (origin and
/// direction in ITK's LPS convention, as SimpleITK reports them). The header's fields themselves
/// travel verbatim in <see cref="NiftiOrientation"/>; this only derives the geometry people read,
/// and the fields to write for an image that never came from NIfTI.
/// </summary>
internal static class NiftiSpace
{
    /// <summary>The 3×4 RAS affine of a header by nibabel's rule: sform when its code is set, else qform, else the spacing alone.</summary>
    public static double[] Affine(NiftiHeader h, Vector3D spacing)
    {
        if (h.SformCode > 0) return h.Srow.Select(v => (double)v).ToArray();
        if (h.QformCode > 0) return QformAffine(h.Quatern[0], h.Quatern[1], h.Quatern[2], h.QOffset, h.PixDim);
        return [spacing.X, 0, 0, 0, 0, spacing.Y, 0, 0, 0, 0, spacing.Z, 0];
    }

    /// <summary>Origin and direction (LPS) of a RAS affine whose columns are spacing-scaled axes.</summary>
    public static (Vector3D Origin, double[] Direction) Geometry(double[] affine)
    {
        var direction = new double[9];
        for (var col = 0; col < 3; col++)
        {
            var norm = Math.Sqrt(Square(affine[col]) + Square(affine[4 + col]) + Square(affine[8 + col]));
            for (var row = 0; row < 3; row++)
            {
                var v = norm > 0 ? affine[4 * row + col] / norm : (row == col ? 1 : 0);
                direction[3 * row + col] = row < 2 ? -v : v; // RAS to LPS: x and y flip
            }
        }

        return (new Vector3D(-affine[3], -affine[7], affine[11]), direction);
    }

    /// <summary>The orientation fields to write for an image without a kept NIfTI orientation: sform and qform of its geometry.</summary>
    public static NiftiOrientation FromGeometry(ImageGeometry g)
    {
        var s = new[] { g.Spacing.X, g.Spacing.Y, g.Spacing.Z };
        var srow = new float[12];
        var r = new double[9];
        for (var row = 0; row < 3; row++)
        {
            var flip = row < 2 ? -1.0 : 1.0;
            for (var col = 0; col < 3; col++)
            {
                r[3 * row + col] = flip * g.Direction[3 * row + col];
                srow[4 * row + col] = (float)(r[3 * row + col] * s[col]);
            }
        }

        srow[3] = (float)-g.Origin.X;
        srow[7] = (float)-g.Origin.Y;
        srow[11] = (float)g.Origin.Z;
        var (b, c, d, qfac) = Quaternion(r);
        return new NiftiOrientation
        {
            QformCode = 1,
            SformCode = 1,
            Quaternion = ((float)b, (float)c, (float)d),
            QOffset = (srow[3], srow[7], srow[11]),
            Qfac = (float)qfac,
            Srow = srow,
            XyztUnits = 2, // millimetres
        };
    }

    private static double[] QformAffine(double b, double c, double d, float[] offset, float[] pixdim)
    {
        // nifti1_io's quatern_to_mat44.
        var a = 1.0 - (b * b + c * c + d * d);
        if (a < 1e-7)
        {
            a = 1.0 / Math.Sqrt(b * b + c * c + d * d);
            b *= a;
            c *= a;
            d *= a;
            a = 0;
        }
        else
        {
            a = Math.Sqrt(a);
        }

        var dx = pixdim[1] > 0 ? pixdim[1] : 1.0;
        var dy = pixdim[2] > 0 ? pixdim[2] : 1.0;
        var dz = pixdim[3] > 0 ? pixdim[3] : 1.0;
        if (pixdim[0] < 0) dz = -dz;
        return
        [
            (a * a + b * b - c * c - d * d) * dx, 2 * (b * c - a * d) * dy, 2 * (b * d + a * c) * dz, offset[0],
            2 * (b * c + a * d) * dx, (a * a + c * c - b * b - d * d) * dy, 2 * (c * d - a * b) * dz, offset[1],
            2 * (b * d - a * c) * dx, 2 * (c * d + a * b) * dy, (a * a + d * d - c * c - b * b) * dz, offset[2],
        ];
    }

    private static (double B, double C, double D, double Qfac) Quaternion(double[] r)
    {
        // nifti1_io's mat44_to_quatern for an orthonormal matrix: a negative determinant is the qfac.
        var det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
        var qfac = 1.0;
        if (det < 0)
        {
            qfac = -1;
            r[2] = -r[2];
            r[5] = -r[5];
            r[8] = -r[8];
        }

        double a = r[0] + r[4] + r[8] + 1, b, c, d;
        if (a > 0.5)
        {
            a = 0.5 * Math.Sqrt(a);
            b = 0.25 * (r[7] - r[5]) / a;
            c = 0.25 * (r[2] - r[6]) / a;
            d = 0.25 * (r[3] - r[1]) / a;
        }
        else
        {
            var xd = 1.0 + r[0] - (r[4] + r[8]);
            var yd = 1.0 + r[4] - (r[0] + r[8]);
            var zd = 1.0 + r[8] - (r[0] + r[4]);
            if (xd > 1.0)
            {
                b = 0.5 * Math.Sqrt(xd);
                c = 0.25 * (r[1] + r[3]) / b;
                d = 0.25 * (r[2] + r[6]) / b;
                a = 0.25 * (r[7] - r[5]) / b;
            }
            else if (yd > 1.0)
            {
                c = 0.5 * Math.Sqrt(yd);
                b = 0.25 * (r[1] + r[3]) / c;
                d = 0.25 * (r[5] + r[7]) / c;
                a = 0.25 * (r[2] - r[6]) / c;
            }
            else
            {
                d = 0.5 * Math.Sqrt(zd);
                b = 0.25 * (r[2] + r[6]) / d;
                c = 0.25 * (r[5] + r[7]) / d;
                a = 0.25 * (r[3] - r[1]) / d;
            }

            if (a < 0)
            {
                b = -b;
                c = -c;
                d = -d;
            }
        }

        return (b, c, d, qfac);
    }

    private static double Square(double x) => x * x;
}
