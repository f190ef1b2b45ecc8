namespace Scep.Protocol.Intune;

/// <summary>
/// The names and versions of Intune's SCEP validation protocol for third-party CAs, as Microsoft's reference library
/// uses them (microsoft/Intune-Resource-Access, src/CsrValidation/csharp/ScepValidation; the Java library in
/// src/CsrValidation/java is the same). The cloud service itself was not reachable from here: see docs/intune.md.
/// </summary>
internal static class IntuneWire
{
    /// <summary>IntuneScepValidator.cs, VALIDATION_SERVICE_NAME: the service Graph's endpoint list names.</summary>
    public const string ValidationServiceName = "ScepRequestValidationFEService";

    /// <summary>IntuneScepValidator.cs, VALIDATION_URL, appended to the service's uri after a '/'.</summary>
    public const string ValidatePath = "ScepActions/validateRequest";

    /// <summary>IntuneScepValidator.cs, NOTIFY_SUCCESS_URL.</summary>
    public const string SuccessPath = "ScepActions/successNotification";

    /// <summary>IntuneScepValidator.cs, NOTIFY_FAILURE_URL.</summary>
    public const string FailurePath = "ScepActions/failureNotification";

    /// <summary>IntuneScepValidator.cs, DEFAULT_SERVICE_VERSION: sent in the <c>api-version</c> header (IntuneClient.cs).</summary>
    public const string ServiceVersion = "2018-02-20";

    /// <summary>IntuneServiceLocationProvider.cs, DEFAULT_INTUNE_APP_ID: Intune's service principal in every tenant.</summary>
    public const string IntuneAppId = "0000000a-0000-0000-c000-000000000000";

    /// <summary>IntuneServiceLocationProvider.cs, DEFAULT_MSGRAPH_VERSION ("v" + version in the path).</summary>
    public const string GraphVersion = "v1.0";

    /// <summary>
    /// IntuneClient.cs: the token is asked for DEFAULT_INTUNE_RESOURCE_URL ("https://api.manage.microsoft.com/") + "/.default",
    /// i.e. with two slashes: the v1 resource's identifier ends in a slash and Entra ID appends "/.default" to it.
    /// </summary>
    public const string IntuneScope = "https://api.manage.microsoft.com//.default";

    /// <summary>IntuneServiceLocationProvider.cs: Graph's token is asked for DEFAULT_MSGRAPH_RESOURCE_URL + ".default".</summary>
    public const string GraphScopeSuffix = ".default";

    /// <summary>IntuneClient.cs and IntuneServiceLocationProvider.cs: a new GUID per call, for Intune's log correlation.</summary>
    public const string ClientRequestIdHeader = "client-request-id";

    /// <summary>IntuneClient.cs: the service version travels as a header, not in the query.</summary>
    public const string ApiVersionHeader = "api-version";

    /// <summary>IntuneScepServiceException.cs, ErrorCode.Success: the one <c>code</c> that means the request is valid.</summary>
    public const string SuccessCode = "Success";
}
