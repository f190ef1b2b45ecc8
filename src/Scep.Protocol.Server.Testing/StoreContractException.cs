using System;

namespace Scep.Protocol.Server.Testing;

/// <summary>A store broke the contract: thrown by <see cref="ScepStoreContract.RunAsync"/>, with what the check expected and what it found.</summary>
public sealed class StoreContractException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="checkName">The check that failed.</param>
    /// <param name="expected">What the contract asks for.</param>
    /// <param name="found">What the store did instead.</param>
    public StoreContractException(string checkName, string expected, string found)
        : base($"{checkName}: expected {expected}; found {found}.")
    {
        CheckName = checkName;
        Expected = expected;
        Found = found;
    }

    /// <summary>Creates the exception for a store call that threw instead of answering.</summary>
    /// <param name="checkName">The check that failed.</param>
    /// <param name="expected">What the contract asks for.</param>
    /// <param name="found">What the store did instead.</param>
    /// <param name="innerException">What the store threw.</param>
    public StoreContractException(string checkName, string expected, string found, Exception? innerException)
        : base($"{checkName}: expected {expected}; found {found}.", innerException)
    {
        CheckName = checkName;
        Expected = expected;
        Found = found;
    }

    /// <summary>The check that failed (one of <see cref="ScepStoreContract.CheckNames"/>).</summary>
    public string CheckName { get; }

    /// <summary>What the contract asks for.</summary>
    public string Expected { get; }

    /// <summary>What the store did instead.</summary>
    public string Found { get; }
}
