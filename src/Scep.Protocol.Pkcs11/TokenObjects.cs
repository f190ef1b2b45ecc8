using System;
using System.Collections.Generic;
using System.Linq;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>Finding objects by an RFC 7512 URI's object attributes, and the attribute templates the token is asked for.</summary>
internal static class TokenObjects
{
    /// <summary>The search template: the class, and the URI's object label and id (RFC 7512 §2.3 object, id; every one given must match).</summary>
    public static List<IObjectAttribute> Template(Pkcs11InteropFactories factories, CKO objectClass, Pkcs11Uri uri)
    {
        var template = new List<IObjectAttribute> { factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, objectClass) };
        if (uri.Object is { } label)
        {
            template.Add(factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label));
        }

        if (uri.Id is { } id)
        {
            template.Add(factories.ObjectAttributeFactory.Create(CKA.CKA_ID, id.ToArray()));
        }

        return template;
    }

    /// <summary>The one object of <paramref name="objectClass"/> the URI names; null when none; an error when several.</summary>
    public static IObjectHandle? FindOne(ISession session, Pkcs11InteropFactories factories, CKO objectClass, Pkcs11Uri uri)
    {
        if (uri.Object is null && uri.Id is null)
        {
            throw new Pkcs11KeyException(Pkcs11Failure.KeyNotFound, $"The PKCS#11 URI {uri} names no object (object= or id=).");
        }

        var found = session.FindAllObjects(Template(factories, objectClass, uri));
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new Pkcs11KeyException(Pkcs11Failure.AmbiguousKey, $"{found.Count} objects of class {objectClass} match {uri}; give the object's label and id."),
        };
    }

    public static byte[] Bytes(ISession session, IObjectHandle handle, CKA attribute) =>
        session.GetAttributeValue(handle, [attribute])[0].GetValueAsByteArray();

    public static CKK KeyType(ISession session, IObjectHandle handle) =>
        (CKK)session.GetAttributeValue(handle, [CKA.CKA_KEY_TYPE])[0].GetValueAsUlong();

    public static string Describe(Pkcs11Uri uri) =>
        string.Join(" ", new[] { uri.Object is { } o ? $"object='{o}'" : null, uri.Id is { } id ? $"id={Convert.ToHexString(id.Span)}" : null }.Where(p => p is not null));
}
