using System;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace Scep.SampleHost;

/// <summary>
/// A secret setting given inline (also from the environment) or as the first line of a file (a mounted secret), not
/// both: webhook secrets, Intune's client secret. Errors name the setting and the file, never the secret.
/// </summary>
internal static class SecretSetting
{
    /// <summary>The secret, or null when neither key is set.</summary>
    /// <param name="section">The section holding both keys.</param>
    /// <param name="name">The section's name in messages (<c>Webhooks:Challenge</c>, <c>Intune</c>).</param>
    /// <param name="inlineKey">The key of the inline value (<c>Secret</c>, <c>ClientSecret</c>).</param>
    /// <param name="fileKey">The key of the file (<c>SecretFile</c>, <c>ClientSecretFile</c>).</param>
    /// <exception cref="SampleHostConfigurationException">Both are set, or the file cannot be read or is empty.</exception>
    public static string? Read(IConfigurationSection section, string name, string inlineKey, string fileKey)
    {
        var inline = section[inlineKey];
        var file = section[fileKey];
        if (!string.IsNullOrEmpty(inline) && !string.IsNullOrEmpty(file))
        {
            throw new SampleHostConfigurationException($"{name}: set {inlineKey} or {fileKey}, not both.");
        }

        if (string.IsNullOrEmpty(file))
        {
            return string.IsNullOrEmpty(inline) ? null : inline;
        }

        string? line;
        try
        {
            line = File.ReadLines(file).FirstOrDefault()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleHostConfigurationException($"{name}:{fileKey}: {file} cannot be read.", e);
        }

        return string.IsNullOrEmpty(line) ? throw new SampleHostConfigurationException($"{name}:{fileKey}: {file} is empty.") : line;
    }
}
