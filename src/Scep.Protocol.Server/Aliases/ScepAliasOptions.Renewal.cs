namespace Scep.Protocol.Server;

/// <summary>The alias's renewal policy (RFC 8894 §3.3.1.2; EJBCA's "allow client certificate renewal").</summary>
public sealed partial class ScepAliasOptions
{
    /// <summary>Accept client certificate renewal: RenewalReq, UpdateReq, and PKCSReq signed by a certificate this CA issued. Default: false.</summary>
    public bool AllowRenewal { get; set; }

    /// <summary>Accept a renewal whose request certifies the old key again. Default: false.</summary>
    public bool AllowRenewalWithOldKey { get; set; }

    /// <summary>The fraction of the old certificate's validity that must have elapsed before it may be renewed (EJBCA: half). Default: 0.5.</summary>
    public double RenewalMinimumElapsedFraction { get; set; } = 0.5;
}
