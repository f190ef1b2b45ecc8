using System;
using System.IO;
using System.Text;

namespace Scep.SampleHost;

/// <summary>Files of the data folder written once: to a temporary name, then moved into place unless it exists.</summary>
internal static class CaFiles
{
    public static bool TryCreate(string path, string text) => TryCreate(path, Encoding.ASCII.GetBytes(text));

    /// <summary>Writes the file unless it exists (another process may be creating it at the same moment); mode 600.</summary>
    public static bool TryCreate(string path, byte[] bytes)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }

}
