using System;

namespace Scep.SampleHost;

/// <summary>
/// A setting or a file of the sample host that the operator must fix: the message names it (the setting, the path)
/// and never holds a secret. The server prints it as its one line before it exits with code 1; admin commands too.
/// </summary>
public sealed class SampleHostConfigurationException : Exception
{
    public SampleHostConfigurationException(string message)
        : base(message)
    {
    }

    public SampleHostConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
