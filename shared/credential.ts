import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

const credentials = new Map<string, TokenCredential>();

/**
 * One credential per managed identity: on Azure the app runs as a user-assigned identity (clientId);
 * on a developer machine DefaultAzureCredential falls back to the signed-in Azure CLI or editor.
 */
export function azureCredential(clientId?: string): TokenCredential {
  const key = clientId ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    credentials.set(key, credential);
  }
  return credential;
}
