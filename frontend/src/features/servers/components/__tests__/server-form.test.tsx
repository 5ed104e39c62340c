import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import type { Server } from '../../api/get-servers';
import { ServerForm } from '../server-form';
import { createServer, createTestResult } from './server-fixtures';

function setup(server: Server | null = null) {
  const onSaved = vi.fn();
  const onCancel = vi.fn();
  const utils = renderWithProviders(
    <ServerForm server={server} onSaved={onSaved} onCancel={onCancel} />,
  );
  return {
    ...utils,
    onSaved,
    onCancel,
    name: screen.getByLabelText('Nome'),
    url: screen.getByLabelText('URL da Evolution API'),
    key: screen.getByLabelText('Chave global da API'),
    test: screen.getByRole('button', { name: 'Testar conexão' }),
    save: screen.getByRole('button', { name: 'Salvar' }),
  };
}

describe('ServerForm', { timeout: 30_000 }, () => {
  it('asks for every field, in Portuguese, without calling the API', async () => {
    const { fetchMock } = mockFetch({});
    const { user, save, name, url, key } = setup();

    await user.click(save);

    expect(await screen.findByText('Informe um nome.')).toBeVisible();
    expect(screen.getByText('Informe a URL do servidor.')).toBeVisible();
    expect(screen.getByText('Informe a chave global.')).toBeVisible();
    for (const field of [name, url, key]) expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('rejects URLs the backend would refuse, as you type', async () => {
    mockFetch({});
    const { user, url, name } = setup();
    for (const bad of ['evo.example.com', 'ftp://evo.example.com', 'http://u:p@evo:8080']) {
      await user.clear(url);
      await user.type(url, bad);
      await user.click(name);
      const message = await screen.findByText(/Informe uma URL http:\/\/ ou https:\/\/ válida/);
      expect(message).toBeVisible();
    }
    await user.clear(url);
    await user.type(url, 'https://evo.example.com/api');
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'false'));
  });

  it('tests the connection before saving and shows the versions', async () => {
    const { requests } = mockFetch({
      'POST /api/servers/test': () => json(createTestResult()),
    });
    const { user, url, key, test } = setup();

    await user.type(url, ' http://127.0.0.1:8080 ');
    await user.type(key, 'secret-key');
    await user.click(test);

    const result = await screen.findByTestId('test-result');
    expect(result).toHaveTextContent('Conexão bem-sucedida');
    expect(result).toHaveTextContent('Versão da Evolution API2.3.6');
    expect(result).toHaveTextContent('Versão do WhatsApp Web2.3000.1027934701');
    expect(result).toHaveTextContent('Instâncias no servidor4');
    expect(result).toHaveTextContent('42 ms');
    expect(await requests[0].json()).toEqual({
      base_url: 'http://127.0.0.1:8080',
      api_key: 'secret-key',
    });

    // The result belongs to that URL and key: changing them hides it.
    await user.type(key, 'x');
    expect(screen.queryByTestId('test-result')).not.toBeInTheDocument();
  });

  it('says when the server answers but refuses the key', async () => {
    mockFetch({
      'POST /api/servers/test': () =>
        json(
          createTestResult({
            api_key_valid: false,
            instance_count: null,
            detail: 'The Evolution server rejected the API key (HTTP 401).',
          }),
        ),
    });
    const { user, url, key, test } = setup();
    await user.type(url, 'http://127.0.0.1:8080');
    await user.type(key, 'wrong');
    await user.click(test);

    const result = await screen.findByTestId('test-result');
    expect(result).toHaveTextContent('O servidor respondeu, mas recusou a chave');
    expect(result).toHaveTextContent('rejected the API key (HTTP 401)');
    expect(result).not.toHaveTextContent('Instâncias no servidor');
  });

  it('explains a failed test: our words and the backend detail', async () => {
    mockFetch({
      'POST /api/servers/test': () =>
        json(
          {
            error: 'evolution_unreachable',
            detail: 'Cannot reach the Evolution server at http://127.0.0.1:1: connection refused',
          },
          { status: 502 },
        ),
    });
    const { user, url, key, test } = setup();
    await user.type(url, 'http://127.0.0.1:1');
    await user.type(key, 'k');
    await user.click(test);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Falha na conexão');
    expect(alert).toHaveTextContent('Não foi possível conectar ao servidor Evolution.');
    expect(alert).toHaveTextContent('Detalhe: Cannot reach the Evolution server');
  });

  it('saves a new server and hands it over', async () => {
    const saved = createServer({ id: 9, name: 'Novo' });
    const { requests } = mockFetch({ 'POST /api/servers': () => json(saved, { status: 201 }) });
    const { user, name, url, key, save, onSaved } = setup();

    await user.type(name, 'Novo');
    await user.type(url, 'http://evo.example.com:8080');
    await user.type(key, 'secret');
    await user.click(save);

    await waitFor(() =>
      expect(onSaved).toHaveBeenCalledWith(saved, { created: true, connectionChanged: true }),
    );
    expect(await requests[0].json()).toEqual({
      name: 'Novo',
      base_url: 'http://evo.example.com:8080',
      api_key: 'secret',
    });
  });

  it('puts a conflict on the field it is about, and other API errors on top', async () => {
    let answer = () =>
      json(
        { error: 'server_url_taken', detail: 'The Evolution server at … is already registered.' },
        { status: 409 },
      );
    mockFetch({ 'POST /api/servers': () => answer() });
    const { user, name, url, key, save, onSaved } = setup();
    await user.type(name, 'Duplicado');
    await user.type(url, 'http://evo.example.com:8080');
    await user.type(key, 'secret');
    await user.click(save);

    expect(await screen.findAllByText('Este servidor Evolution já está cadastrado.')).not.toEqual(
      [],
    );
    expect(url).toHaveAttribute('aria-invalid', 'true');

    answer = () =>
      json(
        {
          error: 'validation_error',
          detail: 'Invalid request',
          errors: [{ field: 'name', message: 'must not be empty' }],
        },
        { status: 422 },
      );
    await user.click(save);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Não foi possível salvar o servidor');
    expect(await screen.findByText('must not be empty')).toBeVisible();
    expect(onSaved).not.toHaveBeenCalled();
  });

  describe('editing', () => {
    it('keeps the stored key when the key is left empty, and sends only what changed', async () => {
      const server = createServer();
      const { requests } = mockFetch({
        'PATCH /api/servers/1': () => json({ ...server, name: 'Renomeado' }),
      });
      const { user, name, key, save, onSaved } = setup(server);

      expect(name).toHaveValue('Principal');
      expect(key).toHaveValue('');
      expect(
        screen.getByText('Deixe em branco para manter a chave atual (•••• 1234).'),
      ).toBeVisible();

      await user.clear(name);
      await user.type(name, 'Renomeado');
      await user.click(save);

      await waitFor(() => expect(onSaved).toHaveBeenCalled());
      expect(onSaved.mock.calls[0][1]).toEqual({ created: false, connectionChanged: false });
      expect(await requests[0].json()).toEqual({ name: 'Renomeado' });
    });

    it('tests the stored URL and key when no new key is typed', async () => {
      const server = createServer();
      mockFetch({ 'POST /api/servers/1/test': () => json(createTestResult()) });
      const { user, test } = setup(server);
      await user.click(test);
      expect(await screen.findByTestId('test-result')).toHaveTextContent('2.3.6');
    });

    it('asks for the key to test a new URL', async () => {
      const { fetchMock } = mockFetch({});
      const { user, url, test } = setup(createServer());
      await user.clear(url);
      await user.type(url, 'http://other.example.com');
      await user.click(test);
      expect(
        await screen.findByText('Para testar uma nova URL, informe a chave também.'),
      ).toBeVisible();
      expect(fetchMock).not.toHaveBeenCalled();
      expect(within(document.body).queryByTestId('test-result')).not.toBeInTheDocument();
    });
  });
});
